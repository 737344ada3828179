import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ApplicationIntegrationType,
  type APIApplicationCommand,
  type APIApplicationCommandOption,
} from 'discord.js';
import { contractBroken, unknownApplicationCommand } from './errors.js';
import { withoutNulls } from './json.js';
import { nextSnowflake } from './snowflake.js';

/** A command definition as the bot registers it (spec-checked already). */
export type CommandDefinition = Record<string, unknown> & { name: string; type?: number; options?: unknown[] | null };

/** Discord's name rule for chat-input commands and options (lower case where the script has case). */
const CHAT_INPUT_NAME = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

/** The application's global and guild commands, with Discord's registration rules and response shape. */
export class CommandRegistry {
  private readonly commands = new Map<string, APIApplicationCommand>();

  constructor(private readonly applicationId: string) {}

  /** `PUT .../commands`: replaces the scope's commands; a command keeps its id when name and type match. */
  bulkOverwrite(guildId: string | undefined, definitions: CommandDefinition[]): APIApplicationCommand[] {
    const seen = new Set<string>();
    for (const definition of definitions) {
      const key = `${definition.type ?? ApplicationCommandType.ChatInput}:${definition.name}`;
      if (seen.has(key)) throw contractBroken(400, 50035, `Invalid Form Body: duplicate command name "${definition.name}"`);
      seen.add(key);
    }
    const previous = this.list(guildId);
    for (const command of previous) this.commands.delete(command.id);
    return definitions.map((definition) => this.store(guildId, definition, this.sameCommand(previous, definition)?.id));
  }

  /** `POST .../commands`: creates, or overwrites the command with the same name and type. */
  upsert(guildId: string | undefined, definition: CommandDefinition): { command: APIApplicationCommand; created: boolean } {
    const existing = this.sameCommand(this.list(guildId), definition);
    return { command: this.store(guildId, definition, existing?.id), created: !existing };
  }

  edit(guildId: string | undefined, commandId: string, changes: Record<string, unknown>): APIApplicationCommand {
    const existing = this.get(guildId, commandId);
    return this.store(guildId, { ...existing, ...changes } as CommandDefinition, commandId);
  }

  delete(guildId: string | undefined, commandId: string): void {
    this.get(guildId, commandId);
    this.commands.delete(commandId);
  }

  get(guildId: string | undefined, commandId: string): APIApplicationCommand {
    const command = this.commands.get(commandId);
    if (!command || command.guild_id !== guildId) throw unknownApplicationCommand();
    return structuredClone(command);
  }

  /** The scope's commands: global ones without `guildId`. */
  list(guildId?: string): APIApplicationCommand[] {
    return [...this.commands.values()].filter((command) => command.guild_id === guildId).map((command) => structuredClone(command));
  }

  /** What a user in `guildId` can invoke by name: guild commands shadow global ones. */
  find(name: string, type: ApplicationCommandType, guildId: string): APIApplicationCommand | undefined {
    const matching = [...this.commands.values()].filter(
      (command) => command.name === name && command.type === type && (command.guild_id === guildId || command.guild_id === undefined),
    );
    return structuredClone(matching.find((command) => command.guild_id === guildId) ?? matching[0]);
  }

  private sameCommand(commands: APIApplicationCommand[], definition: CommandDefinition): APIApplicationCommand | undefined {
    const type = definition.type ?? ApplicationCommandType.ChatInput;
    return commands.find((command) => command.name === definition.name && command.type === type);
  }

  private store(guildId: string | undefined, definition: CommandDefinition, id = nextSnowflake()): APIApplicationCommand {
    const type = (definition.type ?? ApplicationCommandType.ChatInput) as ApplicationCommandType;
    if (type === ApplicationCommandType.ChatInput) assertChatInputNames(definition.name, (definition.options ?? []) as Record<string, unknown>[]);
    const permissions = definition.default_member_permissions;
    const command = {
      id,
      application_id: this.applicationId,
      version: nextSnowflake(),
      type,
      name: definition.name,
      name_localizations: definition.name_localizations ?? null,
      description: type === ApplicationCommandType.ChatInput ? String(definition.description ?? '') : '',
      description_localizations: definition.description_localizations ?? null,
      default_member_permissions: permissions === null || permissions === undefined ? null : String(permissions),
      dm_permission: definition.dm_permission ?? true,
      contexts: definition.contexts ?? null,
      integration_types: definition.integration_types ?? [ApplicationIntegrationType.GuildInstall],
      nsfw: definition.nsfw ?? false,
      ...(guildId ? { guild_id: guildId } : {}),
      ...(definition.options?.length ? { options: withoutNulls(definition.options) as APIApplicationCommandOption[] } : {}),
    } as APIApplicationCommand;
    this.commands.set(id, command);
    return structuredClone(command);
  }
}

/** Rules Discord enforces that the schema does not express. */
function assertChatInputNames(commandName: string, options: Record<string, unknown>[], path = commandName): void {
  const invalid = (name: string) => !CHAT_INPUT_NAME.test(name) || name !== name.toLowerCase();
  if (invalid(commandName)) throw contractBroken(400, 50035, `Invalid Form Body: "${path}" is not a valid chat input name (lower case, no spaces)`);
  const names = new Set<string>();
  let optionalSeen = false;
  for (const option of options) {
    const name = String(option.name);
    if (invalid(name)) throw contractBroken(400, 50035, `Invalid Form Body: option "${path} ${name}" is not a valid name`);
    if (names.has(name)) throw contractBroken(400, 50035, `Invalid Form Body: duplicate option "${path} ${name}"`);
    names.add(name);
    const nested = option.type === ApplicationCommandOptionType.Subcommand || option.type === ApplicationCommandOptionType.SubcommandGroup;
    if (nested) {
      assertChatInputNames(name, (option.options ?? []) as Record<string, unknown>[], `${path} ${name}`);
      continue;
    }
    if (option.required && optionalSeen) {
      throw contractBroken(400, 50035, `Invalid Form Body: required option "${path} ${name}" comes after an optional one`);
    }
    optionalSeen ||= !option.required;
  }
}
