import type { EngineConfig } from '../config.js';
import type { RenderOptions } from '../models/render-request.js';
import type { MediaType, RenderMedia } from '../models/render-result.js';

/**
 * What differs between a screenshot and a recording (animation or tour) on the host side: the worker
 * request's extra fields, the deadline, the largest answer accepted and the media type expected.
 */

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const SIGNATURES: Record<MediaType, (body: Buffer) => boolean> = {
  'image/png': (body) => body.subarray(0, 8).equals(PNG_SIGNATURE),
  'image/gif': (body) => /^GIF8[79]a$/.test(body.subarray(0, 6).toString('latin1')),
  'video/mp4': (body) => body.subarray(4, 8).toString('latin1') === 'ftyp',
};

/** Time a step may take besides its waits: a press holds, a recording pauses after each step. */
const STEP_ALLOWANCE_MS = { screenshot: 250, recording: 1000 };

export function mediaTypeOf(options: RenderOptions): MediaType {
  if (!options.animation) return 'image/png';
  return options.animation.format === 'gif' ? 'image/gif' : 'video/mp4';
}

/** The extra fields of the worker request; none for a screenshot without steps (its request is unchanged). */
export function workerFields(options: RenderOptions): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  if (options.mode) fields.render_mode = options.mode;
  if (options.steps) fields.steps = options.steps;
  const animation = options.animation;
  if (animation) {
    Object.assign(fields, {
      duration_ms: animation.durationMs, max_duration_ms: animation.maxDurationMs, fps: animation.fps,
      format: animation.format, max_bytes: animation.maxBytes,
    });
  }
  return fields;
}

/**
 * The wall-clock deadline of a render in ms. A screenshot's is the configured one plus its delay (and its
 * steps); a recording's also covers the recording and its encoding (lowering fps or scale to fit takes
 * more passes), bounded by KIVY_ANIMATION_TIMEOUT_MS.
 */
export function renderDeadlineMs(config: EngineConfig, options: RenderOptions): number {
  const steps = options.steps ?? [];
  const allowance = options.animation ? STEP_ALLOWANCE_MS.recording : STEP_ALLOWANCE_MS.screenshot;
  const stepsMs = steps.reduce((sum, step) => sum + (step.action === 'wait' ? step.ms : 0) + allowance, 0);
  const animation = options.animation;
  if (!animation) return config.renderTimeoutMs + options.delayMs + stepsMs;
  const recordMs = options.mode === 'tour' ? animation.maxDurationMs : Math.min(animation.maxDurationMs, Math.max(animation.durationMs, stepsMs));
  return Math.min(config.animationTimeoutMs, config.renderTimeoutMs + options.delayMs + 3 * recordMs);
}

/** The largest answer body accepted: the PNG cap, or the clip's byte limit. */
export function bodyLimitBytes(config: EngineConfig, options: RenderOptions): number {
  return options.animation ? options.animation.maxBytes : config.pngLimitBytes;
}

/** What the worker produced, when the body really is the media type the request asked for; else null. */
export function mediaOf(header: Record<string, unknown>, body: Buffer, options: RenderOptions): RenderMedia | null {
  const type = mediaTypeOf(options);
  if (!SIGNATURES[type](body)) return null;
  if (type === 'image/png') return { type, frames: 1 };
  const raw = (typeof header.media === 'object' && header.media !== null ? header.media : {}) as Record<string, unknown>;
  const number = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
  const media: RenderMedia = { type, frames: Math.max(0, Math.round(number(raw.frames) ?? 0)) };
  const fps = number(raw.fps);
  const durationMs = number(raw.duration_ms);
  const scale = number(raw.scale);
  if (fps !== undefined) media.fps = fps;
  if (durationMs !== undefined) media.durationMs = durationMs;
  if (scale !== undefined) media.scale = scale;
  if (Array.isArray(raw.pressed)) media.pressed = raw.pressed.filter((item): item is string => typeof item === 'string').slice(0, 50).map((item) => item.slice(0, 100));
  if (typeof raw.note === 'string') media.note = raw.note.slice(0, 300);
  return media;
}
