import { InteractionHandler, InteractionHandlerTypes } from '@sapphire/framework';
import { PermissionFlagsBits, type ButtonInteraction } from 'discord.js';
import type { IRenderResponder } from '../bot/render-responder.js';
import { Tokens } from '../tokens.js';
import { parseCustomId } from '../views/custom-ids.js';
import { Notices } from '../views/notices.js';

/** "Delete" on a render: the person who asked for it, or members with Manage Messages. */
export class DeleteButtonHandler extends InteractionHandler {
  public constructor(context: InteractionHandler.LoaderContext, options: InteractionHandler.Options) {
    super(context, { ...options, interactionHandlerType: InteractionHandlerTypes.Button });
  }

  public override parse(interaction: ButtonInteraction) {
    const id = parseCustomId(interaction.customId);
    return id?.kind === 'delete' ? this.some(id) : this.none();
  }

  public async run(interaction: ButtonInteraction, { authorId }: InteractionHandler.ParseResult<this>) {
    const allowed = interaction.user.id === authorId || interaction.memberPermissions?.has(PermissionFlagsBits.ManageMessages) === true;
    if (!allowed) return this.container.services.resolve<IRenderResponder>(Tokens.RenderResponder).notify(interaction, Notices.deleteRefused);
    await interaction.deferUpdate();
    await interaction.deleteReply();
  }
}
