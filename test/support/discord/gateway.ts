import type { IncomingMessage, Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import {
  GatewayCloseCodes,
  GatewayDispatchEvents,
  GatewayIntentBits,
  GatewayOpcodes,
  type GatewayIdentifyData,
  type GatewayReadyDispatchData,
  type GatewayRequestGuildMembersData,
  type GatewayResumeData,
} from 'discord.js';
import { WebSocket, WebSocketServer } from 'ws';
import { Waiters } from './waiters.js';
import { PRIVILEGED_INTENTS, type DiscordWorld } from './world.js';

export interface GatewayOptions {
  token: string;
  world: DiscordWorld;
  heartbeatIntervalMs: number;
  /** ws://127.0.0.1:PORT, known once the HTTP server listens. */
  url: () => string;
}

interface Dispatch {
  op: GatewayOpcodes.Dispatch;
  t: string;
  s: number;
  d: unknown;
}

/** A gateway session: survives a dropped connection until the client resumes it. */
interface GatewaySession {
  id: string;
  intents: number;
  sequence: number;
  /** Dispatches so far, replayed on RESUME. */
  sent: Dispatch[];
  socket?: WebSocket;
  resumable: boolean;
}

const ALL_INTENTS = Object.values(GatewayIntentBits)
  .filter((bit): bit is number => typeof bit === 'number')
  .reduce((all, bit) => all | bit, 0);

/** Close codes after which Discord drops the session (discord.js uses 4200 when it means to resume). */
const SESSION_ENDING_CLOSE_CODES = new Set([1000, 1001]);

/** Discord's gateway on the same port as the REST API: plain JSON frames, v10, one shard. */
export class FakeGateway {
  /** The last IDENTIFY payload (token included). */
  identifyPayload?: GatewayIdentifyData;
  /** Query strings of all connections, e.g. `v=10&encoding=json`. */
  readonly connectionQueries: string[] = [];
  /** PRESENCE_UPDATE (op 3) payloads. */
  readonly presenceUpdates: unknown[] = [];
  private readonly server: WebSocketServer;
  private readonly sessions: GatewaySession[] = [];
  private readonly readyWaiters = new Waiters<void>();

  constructor(
    httpServer: Server,
    private readonly options: GatewayOptions,
  ) {
    this.server = new WebSocketServer({ server: httpServer });
    this.server.on('connection', (socket, request) => this.accept(socket, request));
  }

  /** The intents of the current session (undefined before IDENTIFY). */
  get intents(): number | undefined {
    return this.liveSessions()[0]?.intents;
  }

  /** Whether a session is identified (READY sent) and connected. */
  get ready(): boolean {
    return this.liveSessions().some((session) => session.socket?.readyState === WebSocket.OPEN);
  }

  /** Whether a session exists that receives dispatches now or on RESUME. */
  get hasSession(): boolean {
    return this.liveSessions().length > 0;
  }

  waitForReady(timeoutMs: number): Promise<void> {
    if (this.ready) return Promise.resolve();
    return this.readyWaiters.wait(() => true, timeoutMs, () => `FakeDiscord: no bot identified within ${timeoutMs} ms`);
  }

  /** Sends a dispatch to every session subscribed to `intent` (or to all, for intent-free events). */
  dispatch(event: string, data: unknown, intent?: number): void {
    for (const session of this.liveSessions()) {
      if (intent !== undefined && (session.intents & intent) === 0) continue;
      this.send(session, event, data);
    }
  }

  /** Asks connected clients to reconnect (op 7); discord.js then resumes. */
  requestReconnect(): void {
    for (const session of this.liveSessions()) session.socket?.send(JSON.stringify({ op: GatewayOpcodes.Reconnect, d: null }));
  }

  async close(): Promise<void> {
    this.readyWaiters.rejectAll(new Error('FakeDiscord stopped'));
    for (const client of this.server.clients) client.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private liveSessions(): GatewaySession[] {
    return this.sessions.filter((session) => session.resumable);
  }

  private accept(socket: WebSocket, request: IncomingMessage): void {
    const query = new URL(request.url ?? '/', 'ws://127.0.0.1').searchParams;
    this.connectionQueries.push(query.toString());
    if (query.get('v') !== '10') return socket.close(GatewayCloseCodes.InvalidAPIVersion, 'Invalid API version');
    if (query.get('encoding') !== 'json') return socket.close(GatewayCloseCodes.DecodeError, 'The stand-in speaks JSON only');
    // `compress=zlib-stream` is ignored: text frames are plain JSON, which discord.js reads either way.
    let session: GatewaySession | undefined;
    socket.send(JSON.stringify({ op: GatewayOpcodes.Hello, d: { heartbeat_interval: this.options.heartbeatIntervalMs }, s: null, t: null }));
    socket.on('message', (raw) => {
      let payload: { op: number; d: unknown };
      try {
        payload = JSON.parse(raw.toString());
      } catch {
        return socket.close(GatewayCloseCodes.DecodeError, 'Decode error');
      }
      switch (payload.op) {
        case GatewayOpcodes.Heartbeat:
          return socket.send(JSON.stringify({ op: GatewayOpcodes.HeartbeatAck }));
        case GatewayOpcodes.Identify:
          if (session) return socket.close(GatewayCloseCodes.AlreadyAuthenticated, 'Already authenticated');
          session = this.identify(socket, payload.d as GatewayIdentifyData);
          return;
        case GatewayOpcodes.Resume:
          if (session) return socket.close(GatewayCloseCodes.AlreadyAuthenticated, 'Already authenticated');
          session = this.resume(socket, payload.d as GatewayResumeData);
          return;
      }
      if (!session) return socket.close(GatewayCloseCodes.NotAuthenticated, 'Not authenticated');
      switch (payload.op) {
        case GatewayOpcodes.PresenceUpdate:
          this.presenceUpdates.push(payload.d);
          return;
        case GatewayOpcodes.RequestGuildMembers:
          return this.sendMembers(session, payload.d as GatewayRequestGuildMembersData);
        case GatewayOpcodes.VoiceStateUpdate:
        case GatewayOpcodes.RequestSoundboardSounds:
          return;
        default:
          return socket.close(GatewayCloseCodes.UnknownOpcode, 'Unknown opcode');
      }
    });
    socket.on('close', (code) => {
      if (session?.socket !== socket) return;
      session.socket = undefined;
      if (SESSION_ENDING_CLOSE_CODES.has(code)) session.resumable = false;
    });
  }

  private identify(socket: WebSocket, identify: GatewayIdentifyData): GatewaySession | undefined {
    this.identifyPayload = identify;
    const { world } = this.options;
    const intents = Number(identify.intents);
    if (identify.token !== this.options.token) return void socket.close(GatewayCloseCodes.AuthenticationFailed, 'Authentication failed');
    if (!Number.isInteger(intents) || (intents & ~ALL_INTENTS) !== 0) return void socket.close(GatewayCloseCodes.InvalidIntents, 'Invalid intent(s)');
    if ((intents & PRIVILEGED_INTENTS & ~world.allowedPrivilegedIntents) !== 0) {
      return void socket.close(GatewayCloseCodes.DisallowedIntents, 'Disallowed intent(s)');
    }
    const [shardId, shardCount] = identify.shard ?? [0, 1];
    if (shardId >= shardCount) return void socket.close(GatewayCloseCodes.InvalidShard, 'Invalid shard');

    const session: GatewaySession = { id: randomBytes(16).toString('hex'), intents, sequence: 0, sent: [], socket, resumable: true };
    for (const previous of this.sessions) previous.resumable = false; // one bot, one session
    this.sessions.push(session);
    const ready: GatewayReadyDispatchData = {
      v: 10,
      user: world.botUser,
      guilds: [{ id: world.guildId, unavailable: true }],
      session_id: session.id,
      resume_gateway_url: this.options.url(),
      shard: [shardId, shardCount],
      application: { id: world.applicationId, flags: world.applicationFlags, flags_new: String(world.applicationFlags) },
    };
    this.send(session, GatewayDispatchEvents.Ready, ready);
    // Without GUILDS Discord sends no GUILD_CREATE; without GUILD_PRESENCES it lists only the bot as member.
    if (intents & GatewayIntentBits.Guilds) {
      this.send(session, GatewayDispatchEvents.GuildCreate, world.guildCreatePayload((intents & GatewayIntentBits.GuildPresences) !== 0));
    }
    this.readyWaiters.notify();
    return session;
  }

  private resume(socket: WebSocket, resume: GatewayResumeData): GatewaySession | undefined {
    const session = this.sessions.find((candidate) => candidate.id === resume.session_id && candidate.resumable);
    if (!session || resume.token !== this.options.token) {
      socket.send(JSON.stringify({ op: GatewayOpcodes.InvalidSession, d: false }));
      return undefined;
    }
    session.socket?.terminate();
    session.socket = socket;
    for (const missed of session.sent.filter((dispatch) => dispatch.s > resume.seq)) socket.send(JSON.stringify(missed));
    this.send(session, GatewayDispatchEvents.Resumed, null);
    return session;
  }

  private sendMembers(session: GatewaySession, request: GatewayRequestGuildMembersData): void {
    const { world } = this.options;
    const userIds = 'user_ids' in request && request.user_ids ? [request.user_ids].flat() : undefined;
    const { query, limit } = 'query' in request ? request : { query: '', limit: 0 };
    const mayList = (session.intents & GatewayIntentBits.GuildMembers) !== 0;
    const members = world
      .allMembers()
      .filter(({ user }) => (userIds ? userIds.includes(user.id) : mayList && user.username.startsWith(query)))
      .slice(0, limit || undefined)
      .map(({ user, member }) => ({ ...member, user }));
    this.send(session, GatewayDispatchEvents.GuildMembersChunk, {
      guild_id: world.guildId,
      members,
      chunk_index: 0,
      chunk_count: 1,
      not_found: userIds?.filter((id) => !world.member(id)) ?? [],
      ...(request.nonce ? { nonce: request.nonce } : {}),
    });
  }

  private send(session: GatewaySession, event: string, data: unknown): void {
    const dispatch: Dispatch = { op: GatewayOpcodes.Dispatch, t: event, s: ++session.sequence, d: data };
    session.sent.push(dispatch);
    if (session.socket?.readyState === WebSocket.OPEN) session.socket.send(JSON.stringify(dispatch));
  }
}
