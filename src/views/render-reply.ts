import { ActionRowBuilder, ButtonBuilder, ButtonStyle, EmbedBuilder, type AttachmentPayload } from 'discord.js';
import type { RenderFailure, RenderResult } from '../models/render-result.js';
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
  /** The interaction's upload limit in bytes. */
  attachmentSizeLimit: number;
  /** Set for starter templates: the code is shown, the edit button opens the template. */
  template?: { title: string };
}

export const RENDER_FILE = 'render.png';
export const OUTPUT_FILE = 'output.txt';
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

export function progressReply(stage: { queued: number } | 'rendering'): ReplyPayload {
  const content = stage === 'rendering' ? 'Rendering…' : `Waiting for a render container: position ${stage.queued} in the queue…`;
  return { content, embeds: [], files: [], components: [] };
}

/** The screenshot (or the snippet's error) with its output, the code, and the Edit/Delete buttons. */
export function renderReply(result: RenderResult, context: ReplyContext): ReplyPayload {
  const output = outputSection(printedOutput(result));
  const files: AttachmentPayload[] = [sourceFile(context), ...output.files];
  let embed: EmbedBuilder;
  if (result.ok && result.png) {
    embed = successEmbed(result, context);
    if (result.png.length <= context.attachmentSizeLimit) {
      files.unshift({ attachment: result.png, name: RENDER_FILE });
      embed.setImage(`attachment://${RENDER_FILE}`);
    } else {
      embed.addFields({ name: 'Screenshot', value: `${(result.png.length / 1048576).toFixed(1)} MiB: larger than this server's upload limit.` });
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
  return { content: '', embeds: [embed], files: context ? [sourceFile(context)] : [], components: context ? [replyButtons(context)] : [] };
}

function successEmbed(result: RenderResult, context: ReplyContext): EmbedBuilder {
  const { totalMs, queueMs } = result.timings;
  const embed = new EmbedBuilder()
    .setColor(Colors.success)
    .setTitle(userText(context.template?.title ?? 'Kivy render').slice(0, DiscordLimits.embedTitle))
    .addFields(
      { name: 'Render time', value: formatDuration(totalMs) + (queueMs >= 1 ? ` (${formatDuration(queueMs)} waiting)` : ''), inline: true },
      { name: 'Cache', value: result.cached ? 'cached' : 'fresh render', inline: true },
      { name: 'Kivy', value: result.kivyVersion || 'unknown', inline: true },
      { name: 'Size', value: `${result.width}×${result.height}`, inline: true },
    );
  if (context.template) {
    const language = context.snippet.filename.endsWith('.kv') ? 'kv' : 'py';
    embed.setDescription(codeBlock(context.snippet.code, DiscordLimits.embedDescription, { language }));
  }
  return embed;
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

function sourceFile(context: ReplyContext): AttachmentPayload {
  return { attachment: Buffer.from(context.snippet.code, 'utf8'), name: context.snippet.filename };
}

function replyButtons(context: ReplyContext): ActionRowBuilder<ButtonBuilder> {
  return new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder()
      .setCustomId(CustomIds.edit(context.size))
      .setLabel(context.template ? 'Open in editor' : 'Edit & re-render')
      .setStyle(ButtonStyle.Primary),
    new ButtonBuilder().setCustomId(CustomIds.delete(context.authorId)).setLabel('Delete').setStyle(ButtonStyle.Danger),
  );
}
