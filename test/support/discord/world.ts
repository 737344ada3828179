import {
  ApplicationFlags,
  ChannelType,
  GatewayIntentBits,
  GuildDefaultMessageNotifications,
  GuildExplicitContentFilter,
  GuildMFALevel,
  GuildNSFWLevel,
  GuildPremiumTier,
  GuildSystemChannelFlags,
  GuildVerificationLevel,
  Locale,
  PermissionFlagsBits,
  type APIGuildMember,
  type ChannelFlags,
  type GuildMemberFlags,
  type RoleFlags,
  type UserFlags,
  type APIGuildTextChannel,
  type APIInteractionGuildMember,
  type APIRole,
  type APIUser,
  type GatewayGuildCreateDispatchData,
} from 'discord.js';
import { nextSnowflake } from './snowflake.js';

/** A test user together with their membership of the stand-in's guild. */
export interface FakeMember {
  user: APIUser;
  member: APIGuildMember;
}

export interface MemberOptions {
  username?: string;
  /** Gives the member the guild's admin role (Administrator permission). */
  admin?: boolean;
  /** Extra role ids. */
  roles?: string[];
}

export const PRIVILEGED_INTENTS =
  GatewayIntentBits.GuildMembers | GatewayIntentBits.GuildPresences | GatewayIntentBits.MessageContent;

const ALL_PERMISSIONS = Object.values(PermissionFlagsBits).reduce((all, bit) => all | bit, 0n);

const EVERYONE_PERMISSIONS =
  PermissionFlagsBits.ViewChannel |
  PermissionFlagsBits.SendMessages |
  PermissionFlagsBits.SendMessagesInThreads |
  PermissionFlagsBits.ReadMessageHistory |
  PermissionFlagsBits.EmbedLinks |
  PermissionFlagsBits.AttachFiles |
  PermissionFlagsBits.AddReactions |
  PermissionFlagsBits.UseExternalEmojis |
  PermissionFlagsBits.UseApplicationCommands |
  PermissionFlagsBits.CreateInstantInvite |
  PermissionFlagsBits.ChangeNickname |
  PermissionFlagsBits.Connect |
  PermissionFlagsBits.Speak;

/** What a bot is typically invited with: enough to answer, not to moderate. */
const BOT_ROLE_PERMISSIONS =
  PermissionFlagsBits.ViewChannel |
  PermissionFlagsBits.SendMessages |
  PermissionFlagsBits.EmbedLinks |
  PermissionFlagsBits.AttachFiles |
  PermissionFlagsBits.ReadMessageHistory |
  PermissionFlagsBits.UseExternalEmojis |
  PermissionFlagsBits.AddReactions;

/**
 * The application, its bot user and one guild with one text channel, an @everyone role, an admin role
 * (Administrator), the bot's managed role, the owner and the members tests create.
 */
export class DiscordWorld {
  readonly applicationId = nextSnowflake();
  readonly botUser: APIUser;
  readonly guildId = nextSnowflake();
  readonly everyoneRole: APIRole;
  readonly adminRole: APIRole;
  readonly botRole: APIRole;
  readonly textChannel: APIGuildTextChannel<ChannelType.GuildText>;
  readonly owner: FakeMember;
  readonly botMember: FakeMember;
  private readonly members = new Map<string, FakeMember>();
  private readonly joinedAt = new Date().toISOString();

  constructor(
    readonly applicationName: string,
    /** Privileged intents switched on in the (imaginary) developer portal. */
    readonly allowedPrivilegedIntents: number,
  ) {
    const botUsername = applicationName.toLowerCase().replace(/\W+/g, '-');
    // Bots kept their four-digit discriminators and have no display name.
    this.botUser = { ...makeUser(this.applicationId, botUsername), bot: true, discriminator: '4242', global_name: null };
    this.everyoneRole = makeRole(this.guildId, '@everyone', 0, EVERYONE_PERMISSIONS);
    this.adminRole = makeRole(nextSnowflake(), 'Admin', 2, PermissionFlagsBits.Administrator);
    this.botRole = { ...makeRole(nextSnowflake(), applicationName, 1, BOT_ROLE_PERMISSIONS), managed: true, tags: { bot_id: this.botUser.id } };
    this.textChannel = {
      id: nextSnowflake(),
      type: ChannelType.GuildText,
      guild_id: this.guildId,
      name: 'renders',
      position: 0,
      permission_overwrites: [],
      parent_id: null,
      nsfw: false,
      topic: null,
      rate_limit_per_user: 0,
      last_message_id: null,
      last_pin_timestamp: null,
      default_auto_archive_duration: 1440,
      flags: 0 as ChannelFlags,
    };
    this.botMember = this.register(this.botUser, [this.botRole.id]);
    this.owner = this.addMember({ username: 'guild-owner' });
  }

  get roles(): APIRole[] {
    return [this.everyoneRole, this.botRole, this.adminRole];
  }

  addMember(options: MemberOptions = {}): FakeMember {
    const id = nextSnowflake();
    const username = options.username ?? `user-${id.slice(-6)}`;
    const roles = [...(options.admin ? [this.adminRole.id] : []), ...(options.roles ?? [])];
    return this.register(makeUser(id, username), roles);
  }

  member(userId: string): FakeMember | undefined {
    return this.members.get(userId);
  }

  allMembers(): FakeMember[] {
    return [...this.members.values()];
  }

  /** Guild-level permissions (no channel overwrites exist in the stand-in). */
  permissionsOf(userId: string): bigint {
    if (userId === this.owner.user.id) return ALL_PERMISSIONS;
    const member = this.members.get(userId);
    if (!member) return 0n;
    const granted = this.roles
      .filter((role) => role.id === this.everyoneRole.id || member.member.roles.includes(role.id))
      .reduce((all, role) => all | BigInt(role.permissions), 0n);
    return granted & PermissionFlagsBits.Administrator ? ALL_PERMISSIONS : granted;
  }

  interactionMember(userId: string): APIInteractionGuildMember {
    const { user, member } = this.requireMember(userId);
    return { ...structuredClone(member), user: structuredClone(user), permissions: this.permissionsOf(userId).toString() };
  }

  requireMember(userId: string): FakeMember {
    const member = this.members.get(userId);
    if (!member) throw new Error(`FakeDiscord: user ${userId} is not a member of the guild`);
    return member;
  }

  /** The channel as an interaction carries it: with the invoking user's permissions. */
  interactionChannel(userId: string): APIGuildTextChannel<ChannelType.GuildText> & { permissions: string } {
    return { ...structuredClone(this.textChannel), permissions: this.permissionsOf(userId).toString() };
  }

  /** Application flags that mirror the privileged intents the portal allows. */
  get applicationFlags(): number {
    const allowed = (intent: number, flag: number) => (this.allowedPrivilegedIntents & intent ? flag : 0);
    return (
      allowed(GatewayIntentBits.GuildMembers, ApplicationFlags.GatewayGuildMembersLimited) |
      allowed(GatewayIntentBits.GuildPresences, ApplicationFlags.GatewayPresenceLimited) |
      allowed(GatewayIntentBits.MessageContent, ApplicationFlags.GatewayMessageContentLimited) |
      ApplicationFlags.ApplicationCommandBadge
    );
  }

  /** `GET /applications/@me`. */
  applicationObject() {
    return {
      id: this.applicationId,
      name: this.applicationName,
      icon: null,
      description: '',
      type: null,
      bot: this.botUser,
      bot_public: false,
      bot_require_code_grant: false,
      verify_key: 'f'.repeat(64),
      flags: this.applicationFlags,
      flags_new: String(this.applicationFlags),
      redirect_uris: [],
      interactions_endpoint_url: null,
      role_connections_verification_url: null,
      owner: this.owner.user,
      approximate_guild_count: 1,
      approximate_user_install_count: 0,
      approximate_user_authorization_count: 0,
      explicit_content_filter: 0,
      team: null,
      eligible_oauth2_scopes: [],
      integration_types_config: { '0': {} },
      rpc_origins: [],
      tags: [],
    };
  }

  /** `GET /guilds/{id}` (GuildWithCountsResponse); also the base of GUILD_CREATE. */
  guildObject() {
    return {
      id: this.guildId,
      name: 'Kivy Render Test Guild',
      icon: null,
      description: null,
      home_header: null,
      splash: null,
      discovery_splash: null,
      features: [],
      banner: null,
      owner_id: this.owner.user.id,
      application_id: null,
      region: 'deprecated',
      afk_channel_id: null,
      afk_timeout: 300 as const,
      system_channel_id: this.textChannel.id,
      system_channel_flags: GuildSystemChannelFlags.SuppressJoinNotificationReplies,
      widget_enabled: false,
      widget_channel_id: null,
      verification_level: GuildVerificationLevel.Low,
      roles: structuredClone(this.roles),
      default_message_notifications: GuildDefaultMessageNotifications.OnlyMentions,
      mfa_level: GuildMFALevel.None,
      explicit_content_filter: GuildExplicitContentFilter.AllMembers,
      max_presences: null,
      max_members: 25000000,
      max_stage_video_channel_users: 50,
      max_video_channel_users: 25,
      vanity_url_code: null,
      premium_tier: GuildPremiumTier.None,
      premium_subscription_count: 0,
      preferred_locale: Locale.EnglishUS,
      rules_channel_id: null,
      safety_alerts_channel_id: null,
      public_updates_channel_id: null,
      premium_progress_bar_enabled: false,
      nsfw: false,
      nsfw_level: GuildNSFWLevel.Default,
      emojis: [],
      stickers: [],
      incidents_data: null,
      hub_type: null,
      approximate_member_count: this.members.size,
      approximate_presence_count: 0,
    };
  }

  /**
   * GUILD_CREATE. Without the GUILD_PRESENCES intent Discord only lists the bot itself (and voice
   * members) in `members`, so the test users appear only when `includeAllMembers`.
   */
  guildCreatePayload(includeAllMembers: boolean): GatewayGuildCreateDispatchData {
    const members = includeAllMembers ? this.allMembers() : [this.botMember];
    const { approximate_member_count: _count, approximate_presence_count: _presences, ...guild } = this.guildObject();
    return {
      ...guild,
      joined_at: this.joinedAt,
      large: false,
      unavailable: false,
      member_count: this.members.size,
      voice_states: [],
      members: members.map(({ user, member }) => ({ ...structuredClone(member), user: structuredClone(user) })),
      channels: [structuredClone(this.textChannel)],
      threads: [],
      presences: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
    };
  }

  private register(user: APIUser, roles: string[]): FakeMember {
    const member: APIGuildMember = {
      user,
      nick: null,
      avatar: null,
      banner: null,
      roles,
      joined_at: new Date().toISOString(),
      premium_since: null,
      deaf: false,
      mute: false,
      flags: 0 as GuildMemberFlags,
      pending: false,
      communication_disabled_until: null,
    };
    const fake = { user, member };
    this.members.set(user.id, fake);
    return fake;
  }
}

function makeUser(id: string, username: string): APIUser {
  return {
    id,
    username,
    discriminator: '0',
    global_name: username,
    avatar: null,
    banner: null,
    accent_color: null,
    public_flags: 0 as UserFlags,
    flags: 0 as UserFlags,
    avatar_decoration_data: null,
    collectibles: null,
    primary_guild: null,
  };
}

function makeRole(id: string, name: string, position: number, permissions: bigint): APIRole {
  return {
    id,
    name,
    color: 0,
    colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
    hoist: false,
    icon: null,
    unicode_emoji: null,
    position,
    permissions: permissions.toString(),
    managed: false,
    mentionable: false,
    flags: 0 as RoleFlags,
  };
}
