import { InteractionHandler, InteractionHandlerTypes } from '@sapphire/framework';
import type { ButtonInteraction } from 'discord.js';
import { findKivyBlock } from '../bot/code-blocks.js';
import type { IRenderResponder } from '../bot/render-responder.js';
import { Tokens } from '../tokens.js';
import { parseCustomId } from '../views/custom-ids.js';
import { Notices } from '../views/notices.js';

/** The message listener's Render button: only the code's author, until it expires; the render replaces the offer. */
export class RenderMessageButtonHandler extends InteractionHandler {
  public constructor(context: InteractionHandler.LoaderContext, options: InteractionHandler.Options) {
    super(context, { ...options, interactionHandlerType: InteractionHandlerTypes.Button });
  }

  public override parse(interaction: ButtonInteraction) {
    const id = parseCustomId(interaction.customId);
    return id?.kind === 'render-message' ? this.some(id) : this.none();
  }

  public async run(interaction: ButtonInteraction, offer: InteractionHandler.ParseResult<this>) {
    const responder = this.container.services.resolve<IRenderResponder>(Tokens.RenderResponder);
    if (interaction.user.id !== offer.authorId) return responder.notify(interaction, Notices.renderButtonNotYours);
    if (Date.now() > offer.expiresAt * 1000) return interaction.update({ content: Notices.renderButtonExpired, components: [] });
    const codeMessageId = interaction.message.reference?.messageId;
    const codeMessage = codeMessageId ? await interaction.channel?.messages.fetch(codeMessageId).catch(() => null) : null;
    const block = codeMessage ? findKivyBlock(codeMessage.content) : undefined;
    if (!block) return interaction.update({ content: Notices.codeMessageGone, components: [] });
    return responder.render(interaction, { code: block.code, filename: block.filename }, { updateMessage: true, chargeRateLimit: true });
  }
}
