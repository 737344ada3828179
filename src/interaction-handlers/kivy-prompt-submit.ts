import { InteractionHandler, InteractionHandlerTypes } from '@sapphire/framework';
import type { ModalSubmitInteraction } from 'discord.js';
import type { IRenderResponder } from '../bot/render-responder.js';
import { parseSize } from '../services/kivy-validator.js';
import { Tokens } from '../tokens.js';
import { parseCustomId } from '../views/custom-ids.js';
import { PROMPT_CODE_INPUT, submittedSteps } from '../views/kivy-prompt-view.js';

/** The Kivy Prompt View's submit: renders (or records) the code and steps typed (or edited) in the modal. */
export class KivyPromptSubmitHandler extends InteractionHandler {
  public constructor(context: InteractionHandler.LoaderContext, options: InteractionHandler.Options) {
    super(context, { ...options, interactionHandlerType: InteractionHandlerTypes.ModalSubmit });
  }

  public override parse(interaction: ModalSubmitInteraction) {
    const id = parseCustomId(interaction.customId);
    return id?.kind === 'prompt' ? this.some(id) : this.none();
  }

  public async run(interaction: ModalSubmitInteraction, prompt: InteractionHandler.ParseResult<this>) {
    const code = interaction.fields.getTextInputValue(PROMPT_CODE_INPUT);
    const filename = prompt.extension ? `snippet.${prompt.extension}` : undefined;
    const size = prompt.size ? parseSize(prompt.size) : null;
    const steps = submittedSteps(interaction.fields);
    await this.container.services
      .resolve<IRenderResponder>(Tokens.RenderResponder)
      .render(interaction, { code, filename }, { size, media: prompt.media, steps, chargeRateLimit: true });
  }
}
