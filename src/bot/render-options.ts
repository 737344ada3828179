import type { BaseInteraction } from 'discord.js';
import type { AnimationFormat, RenderMode, RenderOptions, RenderOptionsInput } from '../models/render-request.js';
import { parseSize } from '../services/kivy-validator.js';
import { ValidationError } from '../utils/errors.js';

/** What a render produces: a screenshot, or a recording (animation or tour) with its format and length. */
export interface MediaChoice {
  mode: RenderMode;
  format?: AnimationFormat;
  /** An animation's length; a tour lasts as long as its presses take. */
  durationMs?: number;
}

export const SCREENSHOT: MediaChoice = { mode: 'screenshot' };

export type WindowSize = Pick<RenderOptions, 'width' | 'height'>;

/** Everything besides the code that decides what is rendered; Edit & re-render carries all of it. */
export interface RenderChoices {
  /** The window size (see parseSize); the engine's default when absent. */
  size?: WindowSize | null;
  /** Screenshot when absent. */
  media?: MediaChoice;
  /** Interaction steps as the user wrote them (see steps-parser); the reply attaches them as steps.txt. */
  steps?: string | null;
}

/** Used when an interaction does not say (Discord's default for servers without boosts). */
const DEFAULT_ATTACHMENT_LIMIT = 10 * 1024 * 1024;
/** A recording holds a container for seconds: it counts as this many renders against the rate limits. */
const RECORDING_COST = 2;

export const isRecording = (media?: MediaChoice) => (media?.mode ?? 'screenshot') !== 'screenshot';
export const renderCost = (media?: MediaChoice) => (isRecording(media) ? RECORDING_COST : 1);
export const uploadLimit = (interaction: BaseInteraction) => interaction.attachmentSizeLimit ?? DEFAULT_ATTACHMENT_LIMIT;

/** The engine's request options; a clip must fit `maxBytes` (the interaction's upload limit; the engine clamps it). */
export function requestOptions(choices: RenderChoices, maxBytes: number): RenderOptionsInput {
  const { mode, format, durationMs } = choices.media ?? SCREENSHOT;
  return { ...choices.size, mode, format, durationMs, steps: choices.steps ?? undefined, maxBytes };
}

/** What is read of a command's options (a CommandInteractionOptionResolver). */
interface CommandOptions {
  getString(name: string): string | null;
  getNumber(name: string): number | null;
}

/**
 * The mode, format and duration options of /kivy render. As on the command line, a format or a duration
 * implies an animation. Throws a ValidationError for a combination that means nothing.
 */
export function commandMedia(options: CommandOptions): MediaChoice {
  const format = options.getString('format') as AnimationFormat | null;
  const seconds = options.getNumber('duration');
  const mode = (options.getString('mode') as RenderMode | null) ?? (format || seconds !== null ? 'animation' : 'screenshot');
  if (mode === 'screenshot' && (format || seconds !== null)) {
    throw new ValidationError('`format` and `duration` are for recordings: add `mode:animation` (or `mode:tour`), or leave them out.');
  }
  if (mode === 'tour' && seconds !== null) throw new ValidationError('A tour lasts as long as its presses take: leave out `duration`.');
  const media: MediaChoice = { mode };
  if (format) media.format = format;
  if (seconds !== null) media.durationMs = Math.round(seconds * 1000);
  return media;
}

/** Every render option of /kivy render; throws a ValidationError for a bad size or combination. */
export function commandChoices(options: CommandOptions): Required<RenderChoices> {
  const size = options.getString('size');
  return { size: size ? parseSize(size) : null, media: commandMedia(options), steps: options.getString('steps') || null };
}
