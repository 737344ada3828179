import { LabelBuilder, ModalBuilder, TextInputBuilder, TextInputStyle } from 'discord.js';
import { CustomIds, type SourceExtension } from './custom-ids.js';
import { DiscordLimits } from './format.js';

/** Custom id of the modal's code input. */
export const PROMPT_CODE_INPUT = 'code';

export interface KivyPromptOptions {
  /** Prefills the editor (Edit & re-render, templates); at most 4000 characters. */
  code?: string;
  size?: string | null;
  extension?: SourceExtension | null;
}

/** The Kivy Prompt View: a modal with one paragraph input for Python or KV code. */
export function kivyPromptModal({ code, size = null, extension = null }: KivyPromptOptions = {}): ModalBuilder {
  const input = new TextInputBuilder()
    .setCustomId(PROMPT_CODE_INPUT)
    .setStyle(TextInputStyle.Paragraph)
    .setRequired(true)
    .setMaxLength(DiscordLimits.modalTextInput)
    .setPlaceholder('class MyApp(App):\n    def build(self):\n        return Button(text="Hello")');
  if (code) input.setValue(code);
  return new ModalBuilder()
    .setCustomId(CustomIds.prompt(size, extension))
    .setTitle(code ? 'Edit & re-render' : 'Render Kivy code')
    .addLabelComponents(
      new LabelBuilder()
        .setLabel('Kivy code')
        .setDescription('Python with an App (or a widget), or KV language.')
        .setTextInputComponent(input),
    );
}
