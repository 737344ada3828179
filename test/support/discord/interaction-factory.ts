import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ApplicationIntegrationType,
  ComponentType,
  InteractionContextType,
  InteractionType,
  Locale,
  type APIApplicationCommand,
  type APIApplicationCommandOption,
  type APIInteraction,
  type APIInteractionDataResolved,
  type APIMessage,
} from 'discord.js';
import type { CommandRegistry } from './commands.js';
import type { MessageStore } from './message-store.js';
import { userUpload, type UserFile } from './request-body.js';
import { nextSnowflake } from './snowflake.js';
import type { DiscordWorld, FakeMember } from './world.js';

/**
 * An option value as the user picks it: strings, numbers and booleans as they are; users as a FakeMember or
 * id; roles and channels by id.
 */
export type OptionValue = string | number | boolean | FakeMember;

export interface ChatInputArgs {
  user: FakeMember;
  name: string;
  subcommand?: string;
  subcommandGroup?: string;
  options?: Record<string, OptionValue>;
  /** Files for attachment options, by option name. */
  attachments?: Record<string, UserFile>;
}

export interface AutocompleteArgs extends Omit<ChatInputArgs, 'attachments'> {
  /** The option being typed in; its value in `options` is the partial text (default ''). */
  focused: string;
}

export interface ComponentArgs {
  user: FakeMember;
  customId: string;
  /** The message carrying the component (its current state is looked up by id). */
  message: Pick<APIMessage, 'id'>;
}

export interface SelectArgs extends ComponentArgs {
  values: string[];
}

export interface ModalSubmitArgs {
  user: FakeMember;
  customId: string;
  /** Values by the inputs' custom ids. */
  fields: Record<string, string | string[]>;
}

export interface MessageContextMenuArgs {
  user: FakeMember;
  name: string;
  targetMessage: Pick<APIMessage, 'id'>;
}

export interface UserContextMenuArgs {
  user: FakeMember;
  name: string;
  target: FakeMember;
}

const MAX_TEXT_INPUT_LENGTH = 4000;
const MAX_STRING_OPTION_LENGTH = 6000;

/**
 * Builds INTERACTION_CREATE payloads the way Discord sends them to a bot in a guild. What a real client
 * would never send (unregistered commands, unknown options, clicks on components that are not there) is
 * refused with an exception: that is a mistake in the test, not something the bot must handle.
 */
export class InteractionFactory {
  constructor(
    private readonly world: DiscordWorld,
    private readonly commands: CommandRegistry,
    private readonly messages: MessageStore,
    private readonly attachmentSizeLimit: number,
  ) {}

  chatInput(args: ChatInputArgs): APIInteraction {
    const command = this.command(args.name, ApplicationCommandType.ChatInput);
    const resolved: APIInteractionDataResolved = {};
    const options = this.commandOptions(command, args, resolved, undefined);
    return this.base(InteractionType.ApplicationCommand, args.user, {
      data: { ...this.commandData(command), options, ...nonEmpty(resolved) },
    });
  }

  autocomplete(args: AutocompleteArgs): APIInteraction {
    const command = this.command(args.name, ApplicationCommandType.ChatInput);
    const options = this.commandOptions(command, args, {}, args.focused);
    return this.base(InteractionType.ApplicationCommandAutocomplete, args.user, {
      data: { ...this.commandData(command), options },
    });
  }

  messageContextMenu(args: MessageContextMenuArgs): APIInteraction {
    const command = this.command(args.name, ApplicationCommandType.Message);
    const target = this.existingMessage(args.targetMessage.id);
    return this.base(InteractionType.ApplicationCommand, args.user, {
      data: { ...this.commandData(command), target_id: target.id, resolved: { messages: { [target.id]: target } } },
    });
  }

  userContextMenu(args: UserContextMenuArgs): APIInteraction {
    const command = this.command(args.name, ApplicationCommandType.User);
    const resolved: APIInteractionDataResolved = {};
    this.resolveUser(args.target, resolved);
    return this.base(InteractionType.ApplicationCommand, args.user, {
      data: { ...this.commandData(command), target_id: args.target.user.id, resolved },
    });
  }

  component(args: ComponentArgs | SelectArgs, componentType: ComponentType.Button | ComponentType.StringSelect): APIInteraction {
    const message = this.existingMessage(args.message.id);
    const component = findComponent(message.components ?? [], args.customId);
    if (!component || component.type !== componentType) {
      throw new Error(`FakeDiscord: message ${message.id} has no ${ComponentType[componentType]} "${args.customId}"`);
    }
    if (component.disabled) throw new Error(`FakeDiscord: "${args.customId}" is disabled; users cannot use it`);
    const values = 'values' in args ? { values: args.values } : {};
    return this.base(InteractionType.MessageComponent, args.user, {
      message,
      data: { custom_id: args.customId, component_type: componentType, id: component.id, ...values },
    });
  }

  /**
   * Submits a modal the bot showed, mirroring its layout (labels or action rows). `sourceMessageId` is the
   * message whose component opened it, if one did.
   */
  modalSubmit(args: ModalSubmitArgs, shownModal: ModalLayout, sourceMessageId: string | undefined): APIInteraction {
    const message = sourceMessageId ? { message: this.existingMessage(sourceMessageId) } : {};
    return this.base(InteractionType.ModalSubmit, args.user, {
      ...message,
      data: { custom_id: args.customId, components: submittedLayout(shownModal, args.fields) },
    });
  }

  private base(type: InteractionType, user: FakeMember, extra: Record<string, unknown>): APIInteraction {
    const { world } = this;
    return {
      id: nextSnowflake(),
      application_id: world.applicationId,
      type,
      token: `fake-interaction-token.${nextSnowflake()}.${Math.random().toString(36).slice(2)}`,
      version: 1,
      guild_id: world.guildId,
      guild: { id: world.guildId, locale: Locale.EnglishUS, features: [] },
      channel_id: world.textChannel.id,
      channel: world.interactionChannel(user.user.id),
      member: world.interactionMember(user.user.id),
      app_permissions: world.permissionsOf(world.botUser.id).toString(),
      locale: Locale.EnglishUS,
      guild_locale: Locale.EnglishUS,
      entitlements: [],
      authorizing_integration_owners: { [ApplicationIntegrationType.GuildInstall]: world.guildId },
      context: InteractionContextType.Guild,
      attachment_size_limit: this.attachmentSizeLimit,
      ...extra,
    } as APIInteraction;
  }

  private command(name: string, type: ApplicationCommandType): APIApplicationCommand {
    const command = this.commands.find(name, type, this.world.guildId);
    if (!command) throw new Error(`FakeDiscord: no ${ApplicationCommandType[type]} command "${name}" is registered`);
    return command;
  }

  private commandData(command: APIApplicationCommand) {
    return { id: command.id, name: command.name, type: command.type, ...(command.guild_id ? { guild_id: command.guild_id } : {}) };
  }

  private existingMessage(id: string): APIMessage {
    const message = this.messages.get(id);
    if (!message) throw new Error(`FakeDiscord: message ${id} does not exist (or was deleted)`);
    return message;
  }

  /** The `options` tree, subcommand group and subcommand wrapping included. */
  private commandOptions(
    command: APIApplicationCommand,
    args: ChatInputArgs,
    resolved: APIInteractionDataResolved,
    focused: string | undefined,
  ): unknown[] {
    let definitions = command.options ?? [];
    const path: { name: string; type: ApplicationCommandOptionType }[] = [];
    for (const [name, type] of [
      [args.subcommandGroup, ApplicationCommandOptionType.SubcommandGroup],
      [args.subcommand, ApplicationCommandOptionType.Subcommand],
    ] as const) {
      if (name === undefined) continue;
      const nested = definitions.find((definition) => definition.name === name && definition.type === type);
      if (!nested || !('options' in nested)) throw new Error(`FakeDiscord: /${command.name} has no ${ApplicationCommandOptionType[type]} "${name}"`);
      definitions = (nested.options ?? []) as APIApplicationCommandOption[];
      path.push({ name, type });
    }
    if (definitions.some((definition) => definition.type === ApplicationCommandOptionType.Subcommand)) {
      throw new Error(`FakeDiscord: /${command.name} needs a subcommand`);
    }
    const leaves = this.leafOptions(definitions, args, resolved, focused);
    return path.reduceRight<unknown[]>((inner, { name, type }) => [{ name, type, options: inner }], leaves);
  }

  private leafOptions(
    definitions: APIApplicationCommandOption[],
    args: ChatInputArgs,
    resolved: APIInteractionDataResolved,
    focused: string | undefined,
  ): unknown[] {
    const given = { ...args.options, ...args.attachments };
    for (const name of Object.keys(given)) {
      if (!definitions.some((definition) => definition.name === name)) throw new Error(`FakeDiscord: /${args.name} has no option "${name}"`);
    }
    if (focused !== undefined && !definitions.some((definition) => definition.name === focused)) {
      throw new Error(`FakeDiscord: /${args.name} has no option "${focused}" to focus`);
    }
    return definitions.flatMap((definition) => {
      if (definition.name === focused) {
        return [{ name: definition.name, type: definition.type, value: String(args.options?.[focused] ?? ''), focused: true }];
      }
      if (!(definition.name in given)) {
        if (definition.required && focused === undefined) throw new Error(`FakeDiscord: /${args.name} requires option "${definition.name}"`);
        return [];
      }
      const value =
        definition.type === ApplicationCommandOptionType.Attachment
          ? this.resolveAttachment(args.attachments?.[definition.name], definition.name, resolved)
          : this.optionValue(definition, args.options![definition.name], resolved);
      return [{ name: definition.name, type: definition.type, value }];
    });
  }

  private optionValue(definition: APIApplicationCommandOption, value: OptionValue, resolved: APIInteractionDataResolved): string | number | boolean {
    const mistake = (why: string) => new Error(`FakeDiscord: option "${definition.name}" ${why}`);
    const limits = definition as { min_length?: number; max_length?: number; min_value?: number; max_value?: number; choices?: { value: unknown }[] };
    switch (definition.type) {
      case ApplicationCommandOptionType.String: {
        if (typeof value !== 'string') throw mistake('takes a string');
        const maxLength = limits.max_length ?? MAX_STRING_OPTION_LENGTH;
        const minLength = limits.min_length ?? 0;
        if (value.length < minLength || value.length > maxLength) throw mistake(`must be ${minLength}..${maxLength} characters`);
        break;
      }
      case ApplicationCommandOptionType.Integer:
      case ApplicationCommandOptionType.Number:
        if (typeof value !== 'number' || (definition.type === ApplicationCommandOptionType.Integer && !Number.isInteger(value))) {
          throw mistake(`takes ${ApplicationCommandOptionType[definition.type]}`);
        }
        if (value < (limits.min_value ?? -Infinity) || value > (limits.max_value ?? Infinity)) throw mistake('is out of range');
        break;
      case ApplicationCommandOptionType.Boolean:
        if (typeof value !== 'boolean') throw mistake('takes a boolean');
        break;
      case ApplicationCommandOptionType.User:
      case ApplicationCommandOptionType.Mentionable:
        if (typeof value === 'object' || this.world.member(String(value))) return this.resolveUser(value, resolved);
        if (definition.type === ApplicationCommandOptionType.User) throw mistake('takes a guild member');
        return this.resolveRole(String(value), resolved, mistake);
      case ApplicationCommandOptionType.Role:
        return this.resolveRole(String(value), resolved, mistake);
      case ApplicationCommandOptionType.Channel: {
        if (value !== this.world.textChannel.id) throw mistake('takes the id of a channel of the guild');
        const { id, name, type } = this.world.textChannel;
        resolved.channels = { ...resolved.channels, [id]: { id, name, type, permissions: '0' } as never };
        return id;
      }
    }
    if (limits.choices && !limits.choices.some((choice) => choice.value === value)) throw mistake('must be one of its choices');
    return value as string | number | boolean;
  }

  private resolveUser(value: OptionValue, resolved: APIInteractionDataResolved): string {
    const { user, member } = typeof value === 'object' ? value : this.world.requireMember(String(value));
    const { user: _user, ...memberWithoutUser } = structuredClone(member);
    const permissions = this.world.permissionsOf(user.id).toString();
    resolved.users = { ...resolved.users, [user.id]: structuredClone(user) };
    resolved.members = { ...resolved.members, [user.id]: { ...memberWithoutUser, permissions } as never };
    return user.id;
  }

  private resolveRole(roleId: string, resolved: APIInteractionDataResolved, mistake: (why: string) => Error): string {
    const role = this.world.roles.find((candidate) => candidate.id === roleId);
    if (!role) throw mistake('takes a role id of the guild');
    resolved.roles = { ...resolved.roles, [role.id]: structuredClone(role) };
    return role.id;
  }

  /** Stores the user's upload where the bot can download it (ephemeral, as Discord marks command uploads). */
  private resolveAttachment(file: UserFile | undefined, optionName: string, resolved: APIInteractionDataResolved): string {
    if (!file) throw new Error(`FakeDiscord: attachment option "${optionName}" takes a file in \`attachments\``);
    const upload = userUpload(file, optionName);
    if (upload.bytes.length > this.attachmentSizeLimit) throw new Error(`FakeDiscord: "${file.name}" exceeds the upload limit`);
    const attachment = this.messages.storeFile(this.world.textChannel.id, upload, true);
    resolved.attachments = { ...resolved.attachments, [attachment.id]: attachment };
    return attachment.id;
  }
}

/** The modal the bot sent (`data` of callback type 9). */
export interface ModalLayout {
  custom_id: string;
  components: Record<string, unknown>[];
}

function submittedLayout(modal: ModalLayout, fields: ModalSubmitArgs['fields']): unknown[] {
  const inputs = new Set<string>();
  let nextId = 1;
  const submitted = (component: Record<string, unknown>): Record<string, unknown> => {
    const id = (component.id as number | undefined) ?? nextId;
    nextId = Math.max(nextId, id) + 1;
    if (component.type === ComponentType.ActionRow) {
      return { type: component.type, id, components: (component.components as Record<string, unknown>[]).map(submitted) };
    }
    if (component.type === ComponentType.Label) {
      return { type: component.type, id, component: submitted(component.component as Record<string, unknown>) };
    }
    const customId = component.custom_id as string | undefined;
    if (customId === undefined) return { type: component.type, id };
    inputs.add(customId);
    const value = fields[customId];
    if (component.type === ComponentType.TextInput) {
      const text = typeof value === 'string' ? value : '';
      const maxLength = Math.min((component.max_length as number | undefined) ?? MAX_TEXT_INPUT_LENGTH, MAX_TEXT_INPUT_LENGTH);
      if (text.length > maxLength) throw new Error(`FakeDiscord: "${customId}" takes at most ${maxLength} characters`);
      if (text === '' && component.required !== false) throw new Error(`FakeDiscord: "${customId}" is required`);
      return { type: component.type, id, custom_id: customId, value: text };
    }
    return { type: component.type, id, custom_id: customId, values: Array.isArray(value) ? value : value === undefined ? [] : [value] };
  };
  const components = modal.components.map(submitted);
  const unknown = Object.keys(fields).filter((customId) => !inputs.has(customId));
  if (unknown.length > 0) throw new Error(`FakeDiscord: modal "${modal.custom_id}" has no input ${unknown.join(', ')}`);
  return components;
}

function findComponent(components: readonly unknown[], customId: string): { type: number; id?: number; disabled?: boolean } | undefined {
  for (const component of components as Record<string, unknown>[]) {
    if (component.custom_id === customId) return component as { type: number; id?: number; disabled?: boolean };
    const children = [
      ...((component.components as unknown[] | undefined) ?? []),
      ...(component.accessory ? [component.accessory] : []),
    ];
    const found = findComponent(children, customId);
    if (found) return found;
  }
  return undefined;
}

function nonEmpty(resolved: APIInteractionDataResolved): { resolved?: APIInteractionDataResolved } {
  return Object.keys(resolved).length > 0 ? { resolved } : {};
}
