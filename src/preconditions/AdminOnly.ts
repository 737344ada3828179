import { Precondition } from '@sapphire/framework';
import { PermissionFlagsBits, type ChatInputCommandInteraction, type CommandInteraction, type ContextMenuCommandInteraction } from 'discord.js';
import type { BotConfig } from '../config.js';
import { Tokens } from '../tokens.js';
import { Notices } from '../views/notices.js';

/** The configured owners, or members with Administrator (default member permissions are only a hint to Discord). */
export class AdminOnlyPrecondition extends Precondition {
  public override chatInputRun(interaction: ChatInputCommandInteraction) {
    return this.check(interaction);
  }

  public override contextMenuRun(interaction: ContextMenuCommandInteraction) {
    return this.check(interaction);
  }

  private check(interaction: CommandInteraction) {
    const { ownerIds } = this.container.services.resolve<BotConfig>(Tokens.BotConfig);
    const allowed = ownerIds.includes(interaction.user.id) || interaction.memberPermissions?.has(PermissionFlagsBits.Administrator) === true;
    return allowed ? this.ok() : this.error({ message: Notices.adminOnly });
  }
}

declare module '@sapphire/framework' {
  interface Preconditions {
    AdminOnly: never;
  }
}
