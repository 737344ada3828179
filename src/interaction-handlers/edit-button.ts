import { InteractionHandler, InteractionHandlerTypes } from '@sapphire/framework';
import type { ButtonInteraction } from 'discord.js';
import type { ICodeDownloader } from '../bot/code-downloader.js';
import type { IRenderResponder } from '../bot/render-responder.js';
import { Tokens } from '../tokens.js';
import { parseCustomId } from '../views/custom-ids.js';
import { DiscordLimits } from '../views/format.js';
import { kivyPromptModal } from '../views/kivy-prompt-view.js';
import { Notices } from '../views/notices.js';
import { STEPS_FILE } from '../views/render-reply.js';

/** steps.txt holds what the editor's steps input or the steps option held: at most 4000 characters of UTF-8. */
const STEPS_FILE_BYTES = 4 * DiscordLimits.modalTextInput;

/** "Edit & re-render" / "Open in editor": the editor modal, prefilled with the reply's source (and steps) attachments. */
export class EditButtonHandler extends InteractionHandler {
  public constructor(context: InteractionHandler.LoaderContext, options: InteractionHandler.Options) {
    super(context, { ...options, interactionHandlerType: InteractionHandlerTypes.Button });
  }

  public override parse(interaction: ButtonInteraction) {
    const id = parseCustomId(interaction.customId);
    return id?.kind === 'edit' ? this.some(id) : this.none();
  }

  public async run(interaction: ButtonInteraction, edit: InteractionHandler.ParseResult<this>) {
    const responder = this.container.services.resolve<IRenderResponder>(Tokens.RenderResponder);
    const downloader = this.container.services.resolve<ICodeDownloader>(Tokens.CodeDownloader);
    // Render replies attach exactly one .py/.kv file (the code as rendered), and steps.txt when there were steps.
    const { attachments } = interaction.message;
    const source = attachments.find((attachment) => /\.(py|kv)$/i.test(attachment.name));
    if (!source) return responder.notify(interaction, Notices.sourceMissing);
    const stepsFile = attachments.find((attachment) => attachment.name === STEPS_FILE);
    const [{ code }, steps] = await Promise.all([downloader.download(source), stepsFile ? downloader.downloadText(stepsFile, STEPS_FILE_BYTES) : null]);
    if (code.length > DiscordLimits.modalTextInput) return responder.notify(interaction, Notices.tooLongForEditor(code.length, source.name));
    const extension = source.name.toLowerCase().endsWith('.kv') ? 'kv' : 'py';
    return interaction.showModal(kivyPromptModal({ code, steps, size: edit.size, extension, media: edit.media }));
  }
}
