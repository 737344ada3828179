import { ActionRowBuilder, ButtonBuilder, ButtonStyle, EmbedBuilder, type APIEmbedField, type AttachmentPayload } from 'discord.js';
import { SCREENSHOT, type MediaChoice } from '../bot/render-options.js';
import type { MediaType, RenderFailure, RenderMedia, RenderResult } from '../models/render-result.js';
import { describeError, type UserFacingError } from '../utils/errors.js';
import { CustomIds } from './custom-ids.js';
import { codeBlock, Colors, DiscordLimits, formatDuration, userText } from './format.js';

/** A complete reply: every field set, so an edit also clears what a progress message showed. */
export interface ReplyPayload {
  content: string;
  embeds: EmbedBuilder[];
  files: AttachmentPayload[];
  components: ActionRowBuilder<ButtonBuilder>[];
}

/** What a render reply needs besides the result. */
export interface ReplyContext {
  /** The code as rendered: attached under `filename` (.py or .kv), the editor's starting point. */
  snippet: { code: string; filename: string };
  /** Who asked: may delete the reply. */
  authorId: string;
  /** The requested window size, carried into "Edit & re-render". */
  size: string | null;
  /** Screenshot or recording, carried into "Edit & re-render"; a screenshot when absent. */
  media?: MediaChoice;
  /** The steps as the user wrote them: attached as steps.txt, read back by "Edit & re-render". */
  steps?: string | null;
  /** The interaction's upload limit in bytes. */
  attachmentSizeLimit: number;
  /** Set for starter templates: the code is shown, the edit button opens the template. */
  template?: { title: string };
}

/** The rendered file's name by its type: Discord shows a PNG or GIF in the embed and plays an MP4 as an attachment. */
export const RENDER_FILES: Record<MediaType, string> = { 'image/png': 'render.png', 'image/gif': 'render.gif', 'video/mp4': 'render.mp4' };
export const OUTPUT_FILE = 'output.txt';
export const STEPS_FILE = 'steps.txt';
const OUTPUT_HEADER = '**Printed output**\n';
const MAX_INLINE_OUTPUT = 1500;

const TITLES: Record<UserFacingError['kind'], string> = {
  validation: 'Refused before rendering',
  syntax: 'Syntax error',
  runtime: 'Runtime error',
  timeout: 'Timed out',
  memory: 'Out of memory',
  'output-limit': 'Too much output',
  infrastructure: 'The renderer had a problem',
  busy: 'The renderer is busy',
  closed: 'The renderer is not available',
  config: 'Configuration problem',
};

const TITLES_BY_MODE: Record<MediaChoice['mode'], string> = { screenshot: 'Kivy render', animation: 'Kivy animation', tour: 'Kivy tour' };

export function progressReply(stage: { queued: number } | 'rendering' | 'recording'): ReplyPayload {
  const content =
    stage === 'rendering' ? 'Rendering…' : stage === 'recording' ? 'Recording…' : `Waiting for a render container: position ${stage.queued} in the queue…`;
  return { content, embeds: [], files: [], components: [] };
}

/** The screenshot or clip (or the snippet's error) with its output, the code and steps, and the Edit/Delete buttons. */
export function renderReply(result: RenderResult, context: ReplyContext): ReplyPayload {
  const output = outputSection(printedOutput(result));
  const files: AttachmentPayload[] = [...sourceFiles(context), ...output.files];
  const image = result.image ?? result.png;
  let embed: EmbedBuilder;
  if (result.ok && image) {
    const media = result.media ?? { type: 'image/png', frames: 1 };
    const name = RENDER_FILES[media.type];
    embed = successEmbed(result, media, context);
    if (image.length <= context.attachmentSizeLimit) {
      files.unshift({ attachment: image, name });
      if (media.type !== 'video/mp4') embed.setImage(`attachment://${name}`);
    } else {
      const what = media.type === 'image/png' ? 'Screenshot' : 'Recording';
      embed.addFields({ name: what, value: `${(image.length / 1048576).toFixed(1)} MiB: larger than this server's upload limit.` });
    }
  } else {
    embed = failureEmbed(result.error ?? { kind: 'runtime', message: 'The render failed without saying why.', line: null, traceback: null });
  }
  return { content: output.content, embeds: [embed], files, components: [replyButtons(context)] };
}

/** The one way a thrown error reaches a user (via describeError); with a context, the code stays editable. */
export function errorReply(error: unknown, context?: ReplyContext): ReplyPayload {
  const described = describeError(error);
  const embed = failureEmbed({ kind: described.kind, message: described.message, line: described.line ?? null, traceback: null });
  return { content: '', embeds: [embed], files: context ? sourceFiles(context) : [], components: context ? [replyButtons(context)] : [] };
}

function successEmbed(result: RenderResult, media: RenderMedia, context: ReplyContext): EmbedBuilder {
  const { totalMs, queueMs } = result.timings;
  const embed = new EmbedBuilder()
    .setColor(Colors.success)
    .setTitle(userText(context.template?.title ?? TITLES_BY_MODE[(context.media ?? SCREENSHOT).mode]).slice(0, DiscordLimits.embedTitle))
    .addFields(
      { name: 'Render time', value: formatDuration(totalMs) + (queueMs >= 1 ? ` (${formatDuration(queueMs)} waiting)` : ''), inline: true },
      { name: 'Cache', value: result.cached ? 'cached' : 'fresh render', inline: true },
      { name: 'Kivy', value: result.kivyVersion || 'unknown', inline: true },
      { name: 'Size', value: `${result.width}×${result.height}`, inline: true },
      ...clipFields(media),
    );
  if (context.template) {
    const language = context.snippet.filename.endsWith('.kv') ? 'kv' : 'py';
    embed.setDescription(codeBlock(context.snippet.code, DiscordLimits.embedDescription, { language }));
  }
  return embed;
}

/** A clip's frames, rate, length and scale (when lowered to fit the upload limit), a tour's presses, and any note. */
function clipFields(media: RenderMedia): APIEmbedField[] {
  if (media.type === 'image/png') return [];
  const parts = [`${media.type === 'image/gif' ? 'GIF' : 'MP4'}: ${media.frames} frames @ ${media.fps ?? '?'} fps`];
  if (media.durationMs !== undefined) parts.push(`${(media.durationMs / 1000).toFixed(1)} s`);
  if (media.scale !== undefined && media.scale < 1) parts.push(`scaled to ${Math.round(media.scale * 100)}% to fit the upload limit`);
  const fields: APIEmbedField[] = [{ name: 'Recording', value: parts.join(' · ') }];
  if (media.pressed) fields.push({ name: 'Pressed', value: fieldText(media.pressed.join(', ') || 'nothing: no buttons, toggles, switches or tabs on screen') });
  if (media.note) fields.push({ name: 'Note', value: fieldText(media.note) });
  return fields;
}

/** User text cut to an embed field's limit. */
function fieldText(text: string): string {
  const safe = userText(text);
  return safe.length > DiscordLimits.fieldValue ? `${safe.slice(0, DiscordLimits.fieldValue - 1)}…` : safe;
}

/** Kind, message and the traceback (user's line numbers), cut to the embed's limits keeping its end. */
function failureEmbed(failure: Pick<RenderFailure, 'message' | 'line' | 'traceback'> & { kind: UserFacingError['kind'] }): EmbedBuilder {
  const title = TITLES[failure.kind] + (failure.line ? ` on line ${failure.line}` : '');
  const message = userText(failure.message).slice(0, 1000);
  const traceback = failure.traceback?.trim();
  const description = traceback
    ? `${message}\n${codeBlock(traceback, DiscordLimits.embedDescription - message.length - 1, { language: 'py', keep: 'end' })}`
    : message;
  return new EmbedBuilder().setColor(Colors.failure).setTitle(title).setDescription(description);
}

function printedOutput(result: RenderResult): string {
  return [result.stdout, result.stderr && `[stderr]\n${result.stderr}`].filter((part) => part.trim()).join('\n');
}

/** Short output inline; long output cut inline and attached whole as output.txt. */
function outputSection(output: string): { content: string; files: AttachmentPayload[] } {
  if (!output) return { content: '', files: [] };
  if (output.length <= MAX_INLINE_OUTPUT) return { content: OUTPUT_HEADER + codeBlock(output, DiscordLimits.content - OUTPUT_HEADER.length), files: [] };
  const note = `\nThe full output (${output.length} characters) is in ${OUTPUT_FILE}.`;
  return {
    content: OUTPUT_HEADER + codeBlock(output.slice(0, MAX_INLINE_OUTPUT), MAX_INLINE_OUTPUT + 50) + note,
    files: [{ attachment: Buffer.from(output, 'utf8'), name: OUTPUT_FILE }],
  };
}

/** The code as rendered, and its steps: what "Edit & re-render" reads back. */
function sourceFiles(context: ReplyContext): AttachmentPayload[] {
  const files = [{ attachment: Buffer.from(context.snippet.code, 'utf8'), name: context.snippet.filename }];
  if (context.steps) files.push({ attachment: Buffer.from(context.steps, 'utf8'), name: STEPS_FILE });
  return files;
}

function replyButtons(context: ReplyContext): ActionRowBuilder<ButtonBuilder> {
  return new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder()
      .setCustomId(CustomIds.edit(context.size, context.media))
      .setLabel(context.template ? 'Open in editor' : 'Edit & re-render')
      .setStyle(ButtonStyle.Primary),
    new ButtonBuilder().setCustomId(CustomIds.delete(context.authorId)).setLabel('Delete').setStyle(ButtonStyle.Danger),
  );
}
