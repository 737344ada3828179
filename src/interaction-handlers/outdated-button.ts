import { InteractionHandler, InteractionHandlerTypes } from '@sapphire/framework';
import type { ButtonInteraction } from 'discord.js';
import type { IRenderResponder } from '../bot/render-responder.js';
import { Tokens } from '../tokens.js';
import { parseCustomId } from '../views/custom-ids.js';
import { Notices } from '../views/notices.js';

/** A button whose custom id this version does not understand (made by an older one): answer, never stay silent. */
export class OutdatedButtonHandler extends InteractionHandler {
  public constructor(context: InteractionHandler.LoaderContext, options: InteractionHandler.Options) {
    super(context, { ...options, interactionHandlerType: InteractionHandlerTypes.Button });
  }

  public override parse(interaction: ButtonInteraction) {
    return parseCustomId(interaction.customId) === null ? this.some() : this.none();
  }

  public async run(interaction: ButtonInteraction) {
    await this.container.services.resolve<IRenderResponder>(Tokens.RenderResponder).notify(interaction, Notices.outdated);
  }
}
