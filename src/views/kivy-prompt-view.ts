import { LabelBuilder, ModalBuilder, TextInputBuilder, TextInputStyle, type ModalSubmitFields } from 'discord.js';
import { SCREENSHOT, type MediaChoice } from '../bot/render-options.js';
import { CustomIds, type SourceExtension } from './custom-ids.js';
import { DiscordLimits } from './format.js';

/** Custom ids of the modal's code and steps inputs. */
export const PROMPT_CODE_INPUT = 'code';
export const PROMPT_STEPS_INPUT = 'steps';

export interface KivyPromptOptions {
  /** Prefills the editor (Edit & re-render, templates); at most 4000 characters. */
  code?: string;
  /** Prefills the steps input; at most 4000 characters. */
  steps?: string | null;
  size?: string | null;
  extension?: SourceExtension | null;
  /** What the submit renders: a screenshot, or a recording (carried in the modal's custom id). */
  media?: MediaChoice;
}

const TITLES = { screenshot: 'Render Kivy code', animation: 'Record Kivy code (animation)', tour: 'Record Kivy code (tour)' } as const;

/** The Kivy Prompt View: a modal with a paragraph input for Python or KV code and an optional one for steps. */
export function kivyPromptModal({ code, steps, size = null, extension = null, media = SCREENSHOT }: KivyPromptOptions = {}): ModalBuilder {
  const codeInput = new TextInputBuilder()
    .setCustomId(PROMPT_CODE_INPUT)
    .setStyle(TextInputStyle.Paragraph)
    .setRequired(true)
    .setMaxLength(DiscordLimits.modalTextInput)
    .setPlaceholder('class MyApp(App):\n    def build(self):\n        return Button(text="Hello")');
  if (code) codeInput.setValue(code);
  const stepsInput = new TextInputBuilder()
    .setCustomId(PROMPT_STEPS_INPUT)
    .setStyle(TextInputStyle.Paragraph)
    .setRequired(false)
    .setMaxLength(DiscordLimits.modalTextInput)
    .setPlaceholder('press "Log in"\ntype #name "Alice"\nwait 500\nscroll #list down');
  if (steps) stepsInput.setValue(steps);
  return new ModalBuilder()
    .setCustomId(CustomIds.prompt(size, extension, media))
    .setTitle(code ? 'Edit & re-render' : TITLES[media.mode])
    .addLabelComponents(
      new LabelBuilder()
        .setLabel('Kivy code')
        .setDescription('Python with an App (or a widget), or KV language.')
        .setTextInputComponent(codeInput),
      new LabelBuilder()
        .setLabel('Steps (optional)')
        .setDescription('One per line, run before the screenshot or during the recording.')
        .setTextInputComponent(stepsInput),
    );
}

/** The submitted steps, or null when the field is empty (or absent: a modal from an older version). */
export function submittedSteps(fields: ModalSubmitFields): string | null {
  const steps = fields.fields.has(PROMPT_STEPS_INPUT) ? fields.getTextInputValue(PROMPT_STEPS_INPUT) : '';
  return steps.trim() ? steps : null;
}
