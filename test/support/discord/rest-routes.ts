import { Locale, MessageFlags, PermissionFlagsBits } from 'discord.js';
import type { CommandRegistry } from './commands.js';
import { contractBroken, DiscordHttpError, unknownChannel, unknownGuild, unknownMember, unknownMessage, unknownUser } from './errors.js';
import { isEphemeral, type MessageStore } from './message-store.js';
import { noContent, ok, type MessageEvents, type RouteRequest, type RouteTable } from './route-types.js';
import type { DiscordWorld } from './world.js';

export interface CoreRouteContext {
  world: DiscordWorld;
  messages: MessageStore;
  commands: CommandRegistry;
  events: MessageEvents;
  gatewayUrl: () => string;
}

/** Gateway discovery, users, the application and its commands, the guild and its channel's messages. */
export function coreRoutes({ world, messages, commands, events, gatewayUrl }: CoreRouteContext): RouteTable {
  const requireApplication = ({ params }: RouteRequest) => {
    if (params.application_id !== world.applicationId) throw contractBroken(403, 50001, 'Missing Access');
  };
  const requireGuild = ({ params }: RouteRequest) => {
    if (params.guild_id !== world.guildId) throw unknownGuild();
  };
  const requireChannel = ({ params }: RouteRequest) => {
    if (params.channel_id !== world.textChannel.id) throw unknownChannel();
    return world.textChannel;
  };
  const requireBotPermission = (permission: bigint, name: string) => {
    if ((world.permissionsOf(world.botUser.id) & permission) === 0n) {
      throw new DiscordHttpError(403, 50013, 'Missing Permissions', true, [`the bot lacks ${name}`]);
    }
  };
  const channelMessage = (request: RouteRequest) => {
    const channel = requireChannel(request);
    const message = messages.get(request.params.message_id);
    if (!message || message.channel_id !== channel.id || isEphemeral(message)) throw unknownMessage();
    return message;
  };
  /** Global (`guild_id` absent) and guild command routes share their handlers. */
  const commandScope = (request: RouteRequest) => {
    requireApplication(request);
    if (request.params.guild_id === undefined) return undefined;
    requireGuild(request);
    return request.params.guild_id;
  };
  const commandRoutes = (prefix: string): RouteTable => ({
    [`GET ${prefix}`]: (request) => ok(commands.list(commandScope(request))),
    [`PUT ${prefix}`]: (request) => ok(commands.bulkOverwrite(commandScope(request), request.json ?? [])),
    [`POST ${prefix}`]: (request) => {
      const { command, created } = commands.upsert(commandScope(request), request.json);
      return { status: created ? 201 : 200, body: command };
    },
    [`GET ${prefix}/{command_id}`]: (request) => ok(commands.get(commandScope(request), request.params.command_id)),
    [`PATCH ${prefix}/{command_id}`]: (request) => ok(commands.edit(commandScope(request), request.params.command_id, request.json)),
    [`DELETE ${prefix}/{command_id}`]: (request) => {
      commands.delete(commandScope(request), request.params.command_id);
      return noContent();
    },
  });

  return {
    'GET /gateway': () => ok({ url: gatewayUrl() }),
    'GET /gateway/bot': () =>
      ok({
        url: gatewayUrl(),
        shards: 1,
        session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: 1 },
      }),
    'GET /users/@me': () => ok({ ...world.botUser, mfa_enabled: false, locale: Locale.EnglishUS, verified: true, email: null }),
    'GET /users/{user_id}': ({ params }) => ok(world.member(params.user_id)?.user ?? throwError(unknownUser())),
    'GET /applications/@me': () => ok(world.applicationObject()),
    ...commandRoutes('/applications/{application_id}/commands'),
    ...commandRoutes('/applications/{application_id}/guilds/{guild_id}/commands'),

    'GET /guilds/{guild_id}': (request) => {
      requireGuild(request);
      const { approximate_member_count, approximate_presence_count, ...guild } = world.guildObject();
      return ok(request.query.get('with_counts') === 'true' ? { ...guild, approximate_member_count, approximate_presence_count } : guild);
    },
    'GET /guilds/{guild_id}/roles': (request) => {
      requireGuild(request);
      return ok(world.roles);
    },
    'GET /guilds/{guild_id}/channels': (request) => {
      requireGuild(request);
      return ok([world.textChannel]);
    },
    'GET /guilds/{guild_id}/members/{user_id}': (request) => {
      requireGuild(request);
      return ok(world.member(request.params.user_id)?.member ?? throwError(unknownMember()));
    },

    'GET /channels/{channel_id}': (request) => ok(requireChannel(request)),
    'POST /channels/{channel_id}/typing': (request) => {
      requireChannel(request);
      return noContent();
    },
    'GET /channels/{channel_id}/messages': (request) => {
      const limit = Number(request.query.get('limit') ?? 50);
      return ok(messages.inChannel(requireChannel(request).id).reverse().slice(0, limit));
    },
    'POST /channels/{channel_id}/messages': (request) => {
      const channel = requireChannel(request);
      requireBotPermission(PermissionFlagsBits.SendMessages, 'SEND_MESSAGES');
      if (request.files.length > 0) requireBotPermission(PermissionFlagsBits.AttachFiles, 'ATTACH_FILES');
      // EPHEMERAL only exists for interaction responses; Discord ignores it here.
      const payload = { ...request.json, flags: (request.json.flags ?? 0) & ~MessageFlags.Ephemeral };
      const message = messages.create({ channelId: channel.id, author: world.botUser, payload, uploads: request.files });
      events.created(message);
      return ok(message);
    },
    'GET /channels/{channel_id}/messages/{message_id}': (request) => ok(channelMessage(request)),
    'PATCH /channels/{channel_id}/messages/{message_id}': (request) => {
      const existing = channelMessage(request);
      if (existing.author.id !== world.botUser.id) throw contractBroken(403, 50005, 'Cannot edit a message authored by another user');
      const message = messages.edit(existing.id, request.json, request.files);
      events.updated(message);
      return ok(message);
    },
    'DELETE /channels/{channel_id}/messages/{message_id}': (request) => {
      const existing = channelMessage(request);
      if (existing.author.id !== world.botUser.id) requireBotPermission(PermissionFlagsBits.ManageMessages, 'MANAGE_MESSAGES');
      events.deleted(messages.delete(existing.id));
      return noContent();
    },
  };
}

function throwError(error: Error): never {
  throw error;
}
