import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import {
  ComponentType,
  GatewayDispatchEvents,
  GatewayIntentBits,
  InteractionResponseType,
  type APIApplicationCommand,
  type APIInteraction,
  type APIMessage,
  type GatewayIdentifyData,
} from 'discord.js';
import { CommandRegistry } from './commands.js';
import { DiscordHttpError } from './errors.js';
import { FakeGateway } from './gateway.js';
import {
  InteractionFactory,
  type AutocompleteArgs,
  type ChatInputArgs,
  type ComponentArgs,
  type MessageContextMenuArgs,
  type ModalLayout,
  type ModalSubmitArgs,
  type SelectArgs,
  type UserContextMenuArgs,
} from './interaction-factory.js';
import { InteractionResponder, type InteractionCallback, type InteractionSession } from './interaction-responder.js';
import { MessageStore, type VisibleMessage } from './message-store.js';
import { OpenApiValidator, type MatchedOperation } from './openapi-validator.js';
import { readRequestBody, userUpload, type ParsedRequestBody, type UploadedFile, type UserFile } from './request-body.js';
import { coreRoutes } from './rest-routes.js';
import type { MessageEvents, RouteResult, RouteTable } from './route-types.js';
import { Waiters } from './waiters.js';
import { DiscordWorld, PRIVILEGED_INTENTS, type FakeMember, type MemberOptions } from './world.js';

export interface FakeDiscordOptions {
  /** The bot token the stand-in expects (REST `Authorization: Bot ...` and gateway IDENTIFY). */
  token?: string;
  applicationName?: string;
  /** Privileged intents enabled for the application; others make IDENTIFY fail with 4014. Default: all. */
  allowedPrivilegedIntents?: number;
  /** The interaction's `attachment_size_limit` and the per-file upload limit. Default 10 MiB. */
  attachmentSizeLimit?: number;
  /** Default 3000 ms, like Discord. */
  initialResponseDeadlineMs?: number;
  /** Default 15 minutes, like Discord. */
  tokenLifetimeMs?: number;
  heartbeatIntervalMs?: number;
  /** Discord's openapi.json; default `<repo>/../shared/discord-api-spec/openapi.json`. */
  specPath?: string;
}

/** Every REST request the bot made, after the stand-in answered it. */
export interface RecordedRequest {
  method: string;
  /** Path below `/api/v10`, as sent (still URL-encoded). */
  path: string;
  /** The spec's path template, e.g. `/channels/{channel_id}/messages`; undefined for routes the spec lacks. */
  route?: string;
  params: Record<string, string>;
  query: Record<string, string>;
  /** JSON body or parsed multipart `payload_json`. */
  json: unknown;
  files: UploadedFile[];
  /** `interaction_token`/`webhook_token` of interaction routes. */
  interactionToken?: string;
  status: number;
  response: unknown;
  /** What this request did wrong (also in FakeDiscord#violations). */
  violations: string[];
  /** When the request reached the stand-in (before parsing), in ms since the epoch. */
  arrivedAt: number;
}

/** What the user sees of an interaction's answers. */
export interface InteractionResponses {
  interaction: APIInteraction;
  callbacks: InteractionCallback[];
  /** `@original`: the reply (or the component's message after an update), as it looks now. */
  original?: VisibleMessage;
  followUps: VisibleMessage[];
  /** The modal shown (callback type 9). */
  modal?: ModalLayout;
  /** Choices of an autocomplete answer (callback type 8). */
  autocompleteChoices?: { name: string; value: string | number }[];
}

export interface InteractionHandle {
  id: string;
  token: string;
  interaction: APIInteraction;
}

export interface UserMessageArgs {
  user: FakeMember;
  content: string;
  attachments?: UserFile[];
}

type ResolvedOptions = Required<Omit<FakeDiscordOptions, 'token' | 'specPath'>>;

interface IncomingApiRequest {
  method: string;
  /** Below `/api/v10`. */
  path: string;
  matched: MatchedOperation | undefined;
  request: IncomingMessage;
  url: URL;
  body: ParsedRequestBody;
  arrivedAt: number;
}

const API_PREFIX = '/api/v10';
const MAX_FILES_PER_MESSAGE = 10;

/**
 * A local Discord for end-to-end tests: REST under `http://127.0.0.1:PORT/api/v10`, the gateway on the same
 * port, a CDN for attachments. Every request is checked against Discord's OpenAPI spec and Discord's rules;
 * what breaks them is answered like Discord would and listed in `violations`.
 *
 * ```ts
 * const discord = await FakeDiscord.start();
 * const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: discord.restApiUrl } });
 * await client.login(discord.token);
 * ```
 */
export class FakeDiscord {
  readonly requests: RecordedRequest[] = [];
  /** Requests that break Discord's contract (spec, limits, interaction rules). Tests expect this empty. */
  readonly violations: string[] = [];
  /** Spec routes the stand-in does not implement (answered 404). */
  readonly unknownRoutes: string[] = [];
  /** Answers of the stand-in itself that break the spec: bugs of the stand-in. */
  readonly standInErrors: string[] = [];
  /** CDN paths the bot downloaded. */
  readonly downloads: string[] = [];

  readonly world: DiscordWorld;
  private readonly messages: MessageStore;
  private readonly commands: CommandRegistry;
  private readonly responder: InteractionResponder;
  private readonly factory: InteractionFactory;
  private readonly gateway: FakeGateway;
  private readonly routes: RouteTable;
  private readonly requestWaiters = new Waiters<RecordedRequest>();

  private constructor(
    private readonly server: Server,
    private readonly validator: OpenApiValidator,
    readonly token: string,
    readonly baseUrl: string,
    private readonly options: ResolvedOptions,
    world: DiscordWorld,
  ) {
    this.world = world;
    this.messages = new MessageStore(baseUrl, (id) => world.member(id)?.user);
    this.commands = new CommandRegistry(world.applicationId);
    const events = this.messageEvents();
    this.responder = new InteractionResponder(
      {
        applicationId: world.applicationId,
        botUser: world.botUser,
        initialResponseDeadlineMs: options.initialResponseDeadlineMs,
        tokenLifetimeMs: options.tokenLifetimeMs,
      },
      this.messages,
      events,
    );
    this.factory = new InteractionFactory(world, this.commands, this.messages, options.attachmentSizeLimit);
    this.gateway = new FakeGateway(server, {
      token,
      world,
      heartbeatIntervalMs: options.heartbeatIntervalMs,
      url: () => this.gatewayUrl,
    });
    this.routes = {
      ...coreRoutes({ world, messages: this.messages, commands: this.commands, events, gatewayUrl: () => this.gatewayUrl }),
      ...this.responder.routes(),
    };
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      this.handle(request, response).catch((error: unknown) => {
        const failure = this.standInFailure(request.method ?? '', request.url ?? '', error);
        if (!response.headersSent) response.writeHead(failure.status, { 'content-type': 'application/json' }).end(JSON.stringify(failure.body()));
      });
    });
  }

  static async start(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
    const validator = OpenApiValidator.load(options.specPath);
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const world = new DiscordWorld(options.applicationName ?? 'Kivy Render', options.allowedPrivilegedIntents ?? PRIVILEGED_INTENTS);
    const token = options.token ?? `${Buffer.from(world.applicationId).toString('base64url')}.fake.${randomBytes(20).toString('base64url')}`;
    return new FakeDiscord(server, validator, token, `http://127.0.0.1:${port}`, {
      applicationName: world.applicationName,
      allowedPrivilegedIntents: world.allowedPrivilegedIntents,
      attachmentSizeLimit: options.attachmentSizeLimit ?? 10 * 1024 * 1024,
      initialResponseDeadlineMs: options.initialResponseDeadlineMs ?? 3000,
      tokenLifetimeMs: options.tokenLifetimeMs ?? 15 * 60 * 1000,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41250,
    }, world);
  }

  /** For discord.js: `rest: { api: discord.restApiUrl }`. */
  get restApiUrl(): string {
    return `${this.baseUrl}/api`;
  }

  get gatewayUrl(): string {
    return this.baseUrl.replace(/^http/, 'ws');
  }

  get applicationId(): string {
    return this.world.applicationId;
  }

  get botUserId(): string {
    return this.world.botUser.id;
  }

  get guildId(): string {
    return this.world.guildId;
  }

  get channelId(): string {
    return this.world.textChannel.id;
  }

  get adminRoleId(): string {
    return this.world.adminRole.id;
  }

  /** The guild (and application) owner. */
  get owner(): FakeMember {
    return this.world.owner;
  }

  /** The bot's last IDENTIFY (intents, properties, ...). */
  get identifyPayload(): GatewayIdentifyData | undefined {
    return this.gateway.identifyPayload;
  }

  /** Query strings of gateway connections (`v=10&encoding=json`). */
  get gatewayQueries(): readonly string[] {
    return this.gateway.connectionQueries;
  }

  get presenceUpdates(): readonly unknown[] {
    return this.gateway.presenceUpdates;
  }

  createMember(options: MemberOptions = {}): FakeMember {
    const member = this.world.addMember(options);
    this.gateway.dispatch(GatewayDispatchEvents.GuildMemberAdd, { ...member.member, guild_id: this.guildId }, GatewayIntentBits.GuildMembers);
    return member;
  }

  createAdmin(options: Omit<MemberOptions, 'admin'> = {}): FakeMember {
    return this.createMember({ ...options, admin: true });
  }

  /** Resolves once a bot has identified (READY and GUILD_CREATE sent). */
  waitForGatewayReady(timeoutMs = 5000): Promise<void> {
    return this.gateway.waitForReady(timeoutMs);
  }

  /** A slash command invocation; the command must have been registered by the bot. */
  interactChatInput(args: ChatInputArgs): InteractionHandle {
    return this.deliver(this.factory.chatInput(args));
  }

  interactAutocomplete(args: AutocompleteArgs): InteractionHandle {
    return this.deliver(this.factory.autocomplete(args));
  }

  /** A click on a button of a message the stand-in knows (e.g. `discord.originalMessage(token)`). */
  interactButton(args: ComponentArgs): InteractionHandle {
    return this.deliver(this.factory.component(args, ComponentType.Button));
  }

  interactStringSelect(args: SelectArgs): InteractionHandle {
    return this.deliver(this.factory.component(args, ComponentType.StringSelect));
  }

  /** Submits the modal the bot showed with this custom id, mirroring its layout. */
  interactModalSubmit(args: ModalSubmitArgs): InteractionHandle {
    const shown = this.responder.shownModal(args.customId);
    if (!shown) throw new Error(`FakeDiscord: the bot has not shown a modal "${args.customId}"`);
    const opener = shown.openedBy.interaction;
    const sourceMessageId = 'message' in opener ? opener.message?.id : undefined;
    return this.deliver(this.factory.modalSubmit(args, shown.layout, sourceMessageId), shown.openedBy);
  }

  interactMessageContextMenu(args: MessageContextMenuArgs): InteractionHandle {
    return this.deliver(this.factory.messageContextMenu(args));
  }

  interactUserContextMenu(args: UserContextMenuArgs): InteractionHandle {
    return this.deliver(this.factory.userContextMenu(args));
  }

  /**
   * A user writes in the guild channel. MESSAGE_CREATE reaches bots with GUILD_MESSAGES; without
   * MESSAGE_CONTENT, content, embeds, attachments and components arrive empty unless the bot is mentioned.
   */
  postUserMessage({ user, content, attachments = [] }: UserMessageArgs): APIMessage {
    const uploads = attachments.map((file, index) => userUpload(file, `files[${index}]`));
    const message = this.messages.create({ channelId: this.channelId, author: user.user, payload: { content }, uploads });
    const mentionsBot = message.mentions.some((mentioned) => mentioned.id === this.botUserId);
    const readsContent = ((this.gateway.intents ?? 0) & GatewayIntentBits.MessageContent) !== 0 || mentionsBot;
    const delivered = readsContent ? message : { ...message, content: '', embeds: [], attachments: [], components: [] };
    const { user: _user, ...member } = user.member;
    this.gateway.dispatch(GatewayDispatchEvents.MessageCreate, { ...delivered, guild_id: this.guildId, member }, GatewayIntentBits.GuildMessages);
    return message;
  }

  /** Sends op 7 RECONNECT; discord.js reconnects and RESUMEs. */
  requestGatewayReconnect(): void {
    this.gateway.requestReconnect();
  }

  /** The first request (already made or still to come) that matches. */
  waitFor(predicate: (request: RecordedRequest) => boolean, timeoutMs = 5000): Promise<RecordedRequest> {
    const done = this.requests.find(predicate);
    if (done) return Promise.resolve(done);
    return this.requestWaiters.wait(predicate, timeoutMs, () => {
      const seen = this.requests.map((request) => `${request.method} ${request.path} -> ${request.status}`).join('\n  ');
      return `FakeDiscord: no matching request within ${timeoutMs} ms. Requests so far:\n  ${seen}\nViolations: ${JSON.stringify(this.violations)}`;
    });
  }

  interactionResponses(token: string): InteractionResponses {
    const session = this.responder.session(token);
    if (!session) throw new Error('FakeDiscord: unknown interaction token');
    const visible = (id: string | undefined) => {
      const message = id === undefined ? undefined : this.messages.get(id);
      return message && this.messages.visible(message);
    };
    const callbackData = (type: InteractionResponseType) => session.callbacks.find((callback) => callback.type === type)?.data as never;
    return {
      interaction: session.interaction,
      callbacks: session.callbacks,
      original: visible(session.originalMessageId),
      followUps: session.followUpIds.map(visible).filter((message): message is VisibleMessage => message !== undefined),
      modal: callbackData(InteractionResponseType.Modal),
      autocompleteChoices: (callbackData(InteractionResponseType.ApplicationCommandAutocompleteResult) as { choices?: never } | undefined)?.choices,
    };
  }

  /** What `@original` of the interaction shows now (undefined before a reply, or after deletion). */
  originalMessage(token: string): VisibleMessage | undefined {
    return this.interactionResponses(token).original;
  }

  /** Non-ephemeral, undeleted messages of the channel, oldest first. */
  channelMessages(channelId = this.channelId): VisibleMessage[] {
    return this.messages.inChannel(channelId).map((message) => this.messages.visible(message));
  }

  message(id: string): VisibleMessage | undefined {
    const message = this.messages.get(id);
    return message && this.messages.visible(message);
  }

  /** Global commands, or a guild's. */
  registeredCommands(guildId?: string): APIApplicationCommand[] {
    return this.commands.list(guildId);
  }

  async stop(): Promise<void> {
    this.requestWaiters.rejectAll(new Error('FakeDiscord stopped'));
    await this.gateway.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) => this.server.close((error) => (error ? reject(error) : resolve())));
  }

  private deliver(interaction: APIInteraction, openedBy?: InteractionSession): InteractionHandle {
    if (!this.gateway.hasSession) throw new Error('FakeDiscord: no bot has a gateway session');
    this.responder.open(interaction, openedBy);
    this.gateway.dispatch(GatewayDispatchEvents.InteractionCreate, interaction);
    return { id: interaction.id, token: interaction.token, interaction };
  }

  private messageEvents(): MessageEvents {
    const withGuild = (message: APIMessage) => ({ ...message, guild_id: this.guildId });
    const { user: _user, ...botMember } = this.world.botMember.member;
    const dispatch = (event: GatewayDispatchEvents, data: unknown) => this.gateway.dispatch(event, data, GatewayIntentBits.GuildMessages);
    return {
      created: (message) => dispatch(GatewayDispatchEvents.MessageCreate, { ...withGuild(message), member: botMember }),
      updated: (message) => dispatch(GatewayDispatchEvents.MessageUpdate, withGuild(message)),
      deleted: (message) => dispatch(GatewayDispatchEvents.MessageDelete, { id: message.id, channel_id: message.channel_id, guild_id: this.guildId }),
    };
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const arrivedAt = Date.now();
    const url = new URL(request.url ?? '/', this.baseUrl);
    const method = request.method ?? 'GET';
    if (method === 'GET' && /^\/(media\/)?attachments\//.test(url.pathname)) return this.serveAttachment(url, response);
    const body = await readRequestBody(request);
    const path = url.pathname.startsWith(`${API_PREFIX}/`) ? url.pathname.slice(API_PREFIX.length) : url.pathname;
    const matched = url.pathname.startsWith(`${API_PREFIX}/`) ? this.validator.findOperation(method, path) : undefined;
    const recorded: RecordedRequest = {
      method,
      path,
      route: matched?.template,
      params: matched?.params ?? {},
      query: Object.fromEntries(url.searchParams),
      json: body.json,
      files: body.files,
      interactionToken: matched?.params.interaction_token ?? matched?.params.webhook_token,
      status: 0,
      response: undefined,
      violations: [],
      arrivedAt,
    };
    let result: RouteResult;
    try {
      result = this.answer({ method, path, matched, request, url, body, arrivedAt });
    } catch (error) {
      const failure = error instanceof DiscordHttpError ? error : this.standInFailure(method, path, error);
      result = { status: failure.status, body: failure.body() };
      if (failure.breaksContract) {
        const explanation = failure.details.length > 0 ? `: ${failure.details.join('; ')}` : '';
        recorded.violations.push(`${method} ${url.pathname}${url.search} -> ${failure.status} ${failure.message}${explanation}`);
      }
    }
    if (matched && result.status < 300) {
      const problems = this.validator.validateResponse(matched, result.status, result.body);
      this.standInErrors.push(...problems.map((problem) => `${method} ${matched.template}: ${problem}`));
    }
    if (result.body === undefined) {
      response.writeHead(result.status).end(); // no Content-Type: discord.js would parse the empty body as JSON
    } else {
      response.writeHead(result.status, { 'content-type': 'application/json' }).end(JSON.stringify(result.body));
    }
    Object.assign(recorded, { status: result.status, response: result.body });
    this.violations.push(...recorded.violations);
    this.requests.push(recorded);
    this.requestWaiters.notify(recorded);
  }

  private answer({ method, path, matched, request, url, body, arrivedAt }: IncomingApiRequest): RouteResult {
    const { attachmentSizeLimit } = this.options;
    if (!url.pathname.startsWith(`${API_PREFIX}/`)) throw new DiscordHttpError(404, 0, '404: Not Found', true, ['not below /api/v10']);
    if (!matched) throw new DiscordHttpError(400, 0, `${method} ${path} is not in Discord's API`, true, ['route not in the OpenAPI spec']);
    if (matched.requiresBotToken && request.headers.authorization !== `Bot ${this.token}`) {
      throw new DiscordHttpError(401, 0, '401: Unauthorized', true, ['missing or wrong bot token']);
    }
    const problems = [...body.problems, ...this.validator.validateRequest(matched, url.searchParams, body)];
    if (body.files.length > MAX_FILES_PER_MESSAGE) problems.push(`${body.files.length} files; Discord takes at most ${MAX_FILES_PER_MESSAGE}`);
    if (problems.length > 0) throw new DiscordHttpError(400, 50035, 'Invalid Form Body', true, problems);
    const oversized = body.files.filter((file) => file.bytes.length > attachmentSizeLimit);
    if (oversized.length > 0) {
      const names = oversized.map((file) => `${file.name} (${file.bytes.length} bytes)`);
      throw new DiscordHttpError(413, 40005, 'Request entity too large', true, [`over ${attachmentSizeLimit} bytes: ${names.join(', ')}`]);
    }
    const handler = this.routes[`${matched.method} ${matched.template}`];
    if (!handler) {
      this.unknownRoutes.push(`${matched.method} ${matched.template}`);
      throw new DiscordHttpError(404, 0, '404: Not Found');
    }
    return handler({ params: matched.params, query: url.searchParams, json: body.json, files: body.files, arrivedAt });
  }

  /** A bug of the stand-in: recorded, and answered 500 like Discord's own failures. */
  private standInFailure(method: string, path: string, error: unknown): DiscordHttpError {
    this.standInErrors.push(`${method} ${path} failed inside the stand-in: ${error instanceof Error ? error.stack : String(error)}`);
    return new DiscordHttpError(500, 0, '500: Internal Server Error');
  }

  private serveAttachment(url: URL, response: ServerResponse): void {
    this.downloads.push(url.pathname);
    const attachmentId = url.pathname.split('/').at(-2) ?? '';
    const file = this.messages.fileBytes(attachmentId);
    if (!file) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
      return;
    }
    const contentType = file.attachment.content_type ?? 'application/octet-stream';
    response.writeHead(200, { 'content-type': contentType, 'content-length': file.bytes.length }).end(file.bytes);
  }
}
