import {
  ApplicationCommandType,
  InteractionResponseType,
  InteractionType,
  MessageFlags,
  MessageType,
  type APIInteraction,
  type APIMessage,
  type APIUser,
} from 'discord.js';
import { contractBroken, DiscordHttpError, unknownInteraction, unknownMessage, unknownWebhook } from './errors.js';
import type { ModalLayout } from './interaction-factory.js';
import { isEphemeral, isLoading, type MessageStore, type OutgoingMessage } from './message-store.js';
import type { UploadedFile } from './request-body.js';
import { noContent, ok, type MessageEvents, type RouteRequest, type RouteResult, type RouteTable } from './route-types.js';

export interface InteractionCallback {
  type: InteractionResponseType;
  data?: unknown;
  files: UploadedFile[];
}

/** One interaction the stand-in sent, and everything the bot did with its id and token. */
export interface InteractionSession {
  readonly interaction: APIInteraction;
  readonly receivedAt: number;
  /** The interaction whose modal this submit answers. */
  readonly openedBy?: InteractionSession;
  readonly callbacks: InteractionCallback[];
  /** What `@original` refers to: the reply, or the component's message after an update. */
  originalMessageId?: string;
  readonly followUpIds: string[];
}

export interface ShownModal {
  layout: ModalLayout;
  openedBy: InteractionSession;
}

export interface ResponderOptions {
  applicationId: string;
  botUser: APIUser;
  /** Discord drops interactions not answered within 3 s. */
  initialResponseDeadlineMs: number;
  /** Interaction tokens (webhook follow-ups and edits) last 15 minutes. */
  tokenLifetimeMs: number;
}

const { ChannelMessageWithSource, DeferredChannelMessageWithSource, DeferredMessageUpdate, UpdateMessage, Modal } = InteractionResponseType;

/** Which callback types Discord accepts for which interaction types. */
const ALLOWED_CALLBACKS: Partial<Record<InteractionType, InteractionResponseType[]>> = {
  [InteractionType.ApplicationCommand]: [ChannelMessageWithSource, DeferredChannelMessageWithSource, Modal, InteractionResponseType.LaunchActivity],
  [InteractionType.MessageComponent]: [ChannelMessageWithSource, DeferredChannelMessageWithSource, DeferredMessageUpdate, UpdateMessage, Modal],
  [InteractionType.ApplicationCommandAutocomplete]: [InteractionResponseType.ApplicationCommandAutocompleteResult],
  [InteractionType.ModalSubmit]: [ChannelMessageWithSource, DeferredChannelMessageWithSource, DeferredMessageUpdate, UpdateMessage],
};

/** The interaction callback and the interaction webhook (`/webhooks/{application}/{token}/...`). */
export class InteractionResponder {
  private readonly byId = new Map<string, InteractionSession>();
  private readonly byToken = new Map<string, InteractionSession>();
  private readonly modals = new Map<string, ShownModal>();

  constructor(
    private readonly options: ResponderOptions,
    private readonly messages: MessageStore,
    private readonly events: MessageEvents,
  ) {}

  open(interaction: APIInteraction, openedBy?: InteractionSession): InteractionSession {
    const session: InteractionSession = { interaction, receivedAt: Date.now(), openedBy, callbacks: [], followUpIds: [] };
    this.byId.set(interaction.id, session);
    this.byToken.set(interaction.token, session);
    return session;
  }

  session(token: string): InteractionSession | undefined {
    return this.byToken.get(token);
  }

  /** The latest modal shown with this custom id. */
  shownModal(customId: string): ShownModal | undefined {
    return this.modals.get(customId);
  }

  routes(): RouteTable {
    const webhook = '/webhooks/{webhook_id}/{webhook_token}';
    return {
      'POST /interactions/{interaction_id}/{interaction_token}/callback': (request) => this.callback(request),
      [`POST ${webhook}`]: (request) => this.followUp(request),
      [`GET ${webhook}/messages/@original`]: (request) => ok(this.ownMessage(request, '@original')),
      [`PATCH ${webhook}/messages/@original`]: (request) => ok(this.edit(request, '@original')),
      [`DELETE ${webhook}/messages/@original`]: (request) => this.delete(request, '@original'),
      [`GET ${webhook}/messages/{message_id}`]: (request) => ok(this.ownMessage(request, request.params.message_id)),
      [`PATCH ${webhook}/messages/{message_id}`]: (request) => ok(this.edit(request, request.params.message_id)),
      [`DELETE ${webhook}/messages/{message_id}`]: (request) => this.delete(request, request.params.message_id),
    };
  }

  private callback({ params, query, json, files, arrivedAt }: RouteRequest): RouteResult {
    const session = this.byId.get(params.interaction_id);
    if (!session || session.interaction.token !== params.interaction_token) throw unknownInteraction();
    if (session.callbacks.length > 0) throw contractBroken(400, 40060, 'Interaction has already been acknowledged.');
    const elapsed = arrivedAt - session.receivedAt;
    if (elapsed > this.options.initialResponseDeadlineMs) {
      throw new DiscordHttpError(404, 10062, 'Unknown interaction', true, [
        `the initial response came ${elapsed} ms after the interaction (Discord allows ${this.options.initialResponseDeadlineMs} ms)`,
      ]);
    }
    const type = json.type as InteractionResponseType;
    const interactionType = session.interaction.type;
    const sourceMessageId = 'message' in session.interaction ? session.interaction.message?.id : undefined;
    const updatesSource = type === DeferredMessageUpdate || type === UpdateMessage;
    if (!ALLOWED_CALLBACKS[interactionType]?.includes(type) || (updatesSource && !sourceMessageId)) {
      throw contractBroken(400, 50035, `Invalid Form Body: callback type ${type} is not valid for interaction type ${interactionType}`);
    }
    const data = (json.data ?? {}) as OutgoingMessage & Record<string, unknown>;
    let message: APIMessage | undefined;
    switch (type) {
      case ChannelMessageWithSource:
        message = this.createResponse(session, data, files);
        session.originalMessageId = message.id;
        break;
      case DeferredChannelMessageWithSource:
        // The "<bot> is thinking..." placeholder: empty, LOADING, ephemeral if asked.
        message = this.createResponse(session, {}, [], ((data.flags ?? 0) & MessageFlags.Ephemeral) | MessageFlags.Loading);
        session.originalMessageId = message.id;
        break;
      case DeferredMessageUpdate:
        session.originalMessageId = sourceMessageId;
        break;
      case UpdateMessage:
        message = this.messages.edit(sourceMessageId!, data, files);
        session.originalMessageId = message.id;
        this.announce('updated', message);
        break;
      case Modal:
        this.modals.set(String(data.custom_id), { layout: data as unknown as ModalLayout, openedBy: session });
        break;
    }
    session.callbacks.push({ type, data: json.data, files });
    if (query.get('with_response') !== 'true') return noContent();
    return ok({
      interaction: {
        id: session.interaction.id,
        type: interactionType,
        ...(session.originalMessageId
          ? {
              response_message_id: session.originalMessageId,
              response_message_loading: type === DeferredChannelMessageWithSource,
              response_message_ephemeral: message ? isEphemeral(message) : false,
            }
          : {}),
      },
      ...(message && (type === ChannelMessageWithSource || type === UpdateMessage) ? { resource: { type, message } } : {}),
    });
  }

  /**
   * `POST /webhooks/{application}/{token}`. The first follow-up after a deferred reply replaces the
   * "thinking" placeholder (keeping the deferral's ephemerality); later ones are new messages.
   */
  private followUp(request: RouteRequest): RouteResult {
    const session = this.acknowledgedSession(request);
    const placeholder = session.originalMessageId ? this.messages.get(session.originalMessageId) : undefined;
    const replacesPlaceholder = session.followUpIds.length === 0 && placeholder !== undefined && isLoading(placeholder);
    let message: APIMessage;
    if (replacesPlaceholder) {
      message = this.messages.edit(placeholder.id, { ...request.json, flags: undefined }, request.files);
      this.announce('updated', message);
    } else {
      message = this.createResponse(session, request.json, request.files, undefined, MessageType.Default);
    }
    session.followUpIds.push(message.id);
    return request.query.get('wait') === 'true' ? ok(message) : noContent();
  }

  private edit(request: RouteRequest, messageId: string): APIMessage {
    const target = this.ownMessage(request, messageId);
    const message = this.messages.edit(target.id, request.json, request.files);
    this.announce('updated', message);
    return message;
  }

  private delete(request: RouteRequest, messageId: string): RouteResult {
    const message = this.messages.delete(this.ownMessage(request, messageId).id);
    this.announce('deleted', message);
    return noContent();
  }

  /** A message this interaction's webhook may touch: `@original` or one of its follow-ups. */
  private ownMessage(request: RouteRequest, messageId: string): APIMessage {
    const session = this.acknowledgedSession(request);
    const id = messageId === '@original' ? session.originalMessageId : messageId;
    const belongs = id !== undefined && (id === session.originalMessageId || session.followUpIds.includes(id));
    const message = belongs ? this.messages.get(id) : undefined;
    if (!message) throw unknownMessage();
    return message;
  }

  private acknowledgedSession({ params, arrivedAt }: RouteRequest): InteractionSession {
    const session = this.byToken.get(params.webhook_token);
    if (!session || params.webhook_id !== this.options.applicationId) throw unknownWebhook();
    if (arrivedAt - session.receivedAt > this.options.tokenLifetimeMs) throw contractBroken(401, 50027, 'Invalid Webhook Token');
    if (session.callbacks.length === 0) {
      throw new DiscordHttpError(404, 10015, 'Unknown Webhook', true, ['the interaction webhook was used before the interaction was acknowledged']);
    }
    return session;
  }

  private createResponse(
    session: InteractionSession,
    payload: OutgoingMessage,
    files: UploadedFile[],
    flags?: number,
    type = responseMessageType(session.interaction),
  ): APIMessage {
    const { interaction } = session;
    const user = interaction.member?.user ?? interaction.user!;
    const message = this.messages.create({
      channelId: interaction.channel!.id,
      author: this.options.botUser,
      payload,
      uploads: files,
      type,
      extra: {
        webhook_id: this.options.applicationId,
        application_id: this.options.applicationId,
        interaction_metadata: interactionMetadata(session) as never,
        ...(interaction.type === InteractionType.ApplicationCommand
          ? { interaction: { id: interaction.id, type: interaction.type, name: interaction.data.name, user } }
          : {}),
        ...(flags !== undefined ? { flags } : {}),
      },
    });
    this.announce('created', message);
    return message;
  }

  /** Ephemeral messages never reach the gateway. */
  private announce(event: keyof MessageEvents, message: APIMessage): void {
    if (!isEphemeral(message)) this.events[event](message);
  }
}

function responseMessageType(interaction: APIInteraction): MessageType {
  if (interaction.type !== InteractionType.ApplicationCommand) return MessageType.Default;
  return interaction.data.type === ApplicationCommandType.ChatInput ? MessageType.ChatInputCommand : MessageType.ContextMenuCommand;
}

/** `interaction_metadata` as Discord puts it on response messages. */
function interactionMetadata(session: InteractionSession): Record<string, unknown> {
  const { interaction } = session;
  const common = {
    id: interaction.id,
    type: interaction.type,
    user: interaction.member?.user ?? interaction.user,
    authorizing_integration_owners: interaction.authorizing_integration_owners,
  };
  switch (interaction.type) {
    case InteractionType.MessageComponent:
      return { ...common, interacted_message_id: interaction.message.id };
    case InteractionType.ModalSubmit:
      return { ...common, ...(session.openedBy ? { triggering_interaction_metadata: interactionMetadata(session.openedBy) } : {}) };
    case InteractionType.ApplicationCommand: {
      const { data } = interaction;
      if (data.type === ApplicationCommandType.Message) return { ...common, target_message_id: data.target_id };
      if (data.type === ApplicationCommandType.User) return { ...common, target_user: data.resolved.users[data.target_id] };
      return common;
    }
    default:
      return common;
  }
}
