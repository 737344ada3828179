import { SCREENSHOT, type MediaChoice } from '../bot/render-options.js';
import { ANIMATION_FORMATS, RENDER_MODES, type AnimationFormat, type RenderMode } from '../models/render-request.js';

/**
 * Custom ids of the bot's buttons and modal: everything a later click needs travels in the id (at most 100
 * characters), so no state is kept between an answer and the click on it.
 */
export type SourceExtension = 'py' | 'kv';

export type CustomId =
  /** The code editor modal; `size`, `extension` and `media` carry over from the command or the render being edited. */
  | { kind: 'prompt'; size: string | null; extension: SourceExtension | null; media: MediaChoice }
  /** "Edit & re-render" / "Open in editor": the code (and steps) are the message's attachments. */
  | { kind: 'edit'; size: string | null; media: MediaChoice }
  | { kind: 'delete'; authorId: string }
  /** The message listener's Render button. */
  | { kind: 'render-message'; authorId: string; expiresAt: number };

const PREFIX = 'kivy';

/** `mode.format.durationMs` (e.g. "animation.mp4.5000", "tour"); nothing for a screenshot, so its ids stay as they were. */
function mediaSuffix(media: MediaChoice): string {
  if (media.mode === 'screenshot') return '';
  return `:${[media.mode, media.format ?? '', media.durationMs ?? ''].join('.').replace(/\.+$/, '')}`;
}

function parseMedia(text: string | undefined): MediaChoice {
  const [mode, format, duration] = (text ?? '').split('.');
  if (!RENDER_MODES.includes(mode as RenderMode)) return SCREENSHOT;
  const media: MediaChoice = { mode: mode as RenderMode };
  if (ANIMATION_FORMATS.includes(format as AnimationFormat)) media.format = format as AnimationFormat;
  if (duration && Number.isInteger(Number(duration))) media.durationMs = Number(duration);
  return media;
}

export const CustomIds = {
  prompt: (size: string | null = null, extension: SourceExtension | null = null, media: MediaChoice = SCREENSHOT) =>
    `${PREFIX}:prompt:${size ?? ''}:${extension ?? ''}${mediaSuffix(media)}`,
  edit: (size: string | null = null, media: MediaChoice = SCREENSHOT) => `${PREFIX}:edit:${size ?? ''}${mediaSuffix(media)}`,
  delete: (authorId: string) => `${PREFIX}:delete:${authorId}`,
  renderMessage: (authorId: string, expiresAt: number) => `${PREFIX}:render-message:${authorId}:${expiresAt}`,
};

/** The custom id's meaning, or null for ids this bot did not make. */
export function parseCustomId(customId: string): CustomId | null {
  const [prefix, kind, ...rest] = customId.split(':');
  if (prefix !== PREFIX) return null;
  const orNull = (value: string | undefined) => value || null;
  switch (kind) {
    case 'prompt': {
      const extension = rest[1] === 'py' || rest[1] === 'kv' ? rest[1] : null;
      return { kind, size: orNull(rest[0]), extension, media: parseMedia(rest[2]) };
    }
    case 'edit':
      return { kind, size: orNull(rest[0]), media: parseMedia(rest[1]) };
    case 'delete':
      return rest[0] ? { kind, authorId: rest[0] } : null;
    case 'render-message': {
      const expiresAt = Number(rest[1]);
      return rest[0] && Number.isFinite(expiresAt) ? { kind, authorId: rest[0], expiresAt } : null;
    }
    default:
      return null;
  }
}
