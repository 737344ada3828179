import { neutralizeMentions } from '../utils/security.js';

/** Discord's message and embed limits, in characters. */
export const DiscordLimits = {
  content: 2000,
  embedTitle: 256,
  embedDescription: 4096,
  fieldValue: 1024,
  modalTextInput: 4000,
  autocompleteName: 100,
} as const;

export const Colors = { success: 0x2ecc71, failure: 0xe74c3c, info: 0x3498db } as const;

/** User text made safe to echo: mentions neutralised (allowed_mentions is the second guard). */
export const userText = (text: string) => neutralizeMentions(text);

const FENCE = '```';

/**
 * A code block of at most `max` characters around user text: mentions neutralised, inner fences broken, and
 * cut with a marker when too long, keeping the start (code) or the end (tracebacks: the last lines matter).
 */
export function codeBlock(text: string, max: number, options: { language?: string; keep?: 'start' | 'end' } = {}): string {
  const language = options.language ?? '';
  const body = userText(text).replaceAll(FENCE, '`\u200b``').replace(/\n+$/, '');
  const room = max - `${FENCE}${language}\n\n${FENCE}`.length;
  const cut = '…\n';
  let fitted = body;
  if (body.length > room) {
    fitted = options.keep === 'end' ? cut + body.slice(body.length - (room - cut.length)) : body.slice(0, room - cut.length) + `\n…`;
  }
  return `${FENCE}${language}\n${fitted}\n${FENCE}`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 120) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 120) return `${minutes} min ${seconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
