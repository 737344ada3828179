import { inject, injectable } from 'tsyringe';
import type { EngineConfig } from '../config.js';
import { ANIMATION_FORMATS, RENDER_MODES, type AnimationFormat, type RenderOptions, type RenderOptionsInput } from '../models/render-request.js';
import { Tokens } from '../tokens.js';
import { ValidationError } from '../utils/errors.js';
import { findDangerousUse } from '../utils/security.js';
import { parseSteps } from './steps-parser.js';

export interface IKivyValidator {
  /** Throws a ValidationError (with the user's line number where there is one) for code that must not run. */
  validateCode(code: string): void;
  /** Fills defaults, parses steps and checks bounds; throws a ValidationError naming the bad option or step. */
  normalizeOptions(options?: RenderOptionsInput): RenderOptions;
}

const MAX_LINE_LENGTH = 5000;
export const ANIMATION_DEFAULTS = { durationMs: 3000, minDurationMs: 500, fps: { gif: 10, mp4: 15 } as Record<AnimationFormat, number>, maxFps: 30 };

/** Line number (1-based) of the character at `index`. */
const lineOf = (code: string, index: number) => code.slice(0, index).split('\n').length;

@injectable()
export class KivyValidator implements IKivyValidator {
  constructor(@inject(Tokens.Config) private readonly config: EngineConfig) {}

  validateCode(code: string): void {
    if (!code.trim()) throw new ValidationError('The snippet is empty: paste some Kivy code (Python or KV).');
    const bytes = Buffer.byteLength(code, 'utf8');
    if (bytes > this.config.maxCodeBytes) {
      throw new ValidationError(`The snippet is ${Math.ceil(bytes / 1024)} KiB; the limit is ${Math.floor(this.config.maxCodeBytes / 1024)} KiB.`);
    }
    const nul = code.indexOf('\0');
    if (nul >= 0) throw new ValidationError(`Line ${lineOf(code, nul)} contains a NUL byte: send the code as plain text.`, lineOf(code, nul));
    const replacement = code.indexOf('\uFFFD');
    if (replacement >= 0) {
      const line = lineOf(code, replacement);
      throw new ValidationError(`Line ${line} is not valid UTF-8 text: save the file as UTF-8.`, line);
    }
    const lines = code.split('\n');
    const long = lines.findIndex((line) => line.length > MAX_LINE_LENGTH);
    if (long >= 0) {
      throw new ValidationError(`Line ${long + 1} is ${lines[long].length} characters long; the limit is ${MAX_LINE_LENGTH}.`, long + 1);
    }
    if (this.config.blockDangerousCode) {
      const danger = findDangerousUse(code);
      if (danger) throw new ValidationError(`Line ${danger.line} uses ${danger.what}, which renders may not use: ${danger.why}`, danger.line);
    }
  }

  normalizeOptions(options: RenderOptionsInput = {}): RenderOptions {
    const width = options.width ?? this.config.defaultWidth;
    const height = options.height ?? this.config.defaultHeight;
    const delayMs = options.delayMs ?? 0;
    const { maxWidth, maxHeight, maxDelayMs } = this.config;
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 64 || height < 64 || width > maxWidth || height > maxHeight) {
      throw new ValidationError(`The window size ${width}x${height} is out of bounds: use 64x64 up to ${maxWidth}x${maxHeight}.`);
    }
    if (!Number.isFinite(delayMs) || delayMs < 0 || delayMs > maxDelayMs) {
      throw new ValidationError(`The capture delay must be between 0 and ${maxDelayMs} ms.`);
    }
    const normalized: RenderOptions = { width, height, delayMs: Math.round(delayMs) };
    const mode = options.mode ?? 'screenshot';
    if (!RENDER_MODES.includes(mode)) throw new ValidationError(`"${mode}" is not a render mode: use ${RENDER_MODES.join(', ')}.`);
    const steps = options.steps === undefined ? [] : parseSteps(options.steps, { totalWaitMs: mode === 'screenshot' ? maxDelayMs : this.config.maxAnimationMs });
    if (steps.length) normalized.steps = steps;
    if (mode === 'screenshot') return normalized;
    return { ...normalized, mode, animation: this.animationOptions(mode, options) };
  }

  private animationOptions(mode: 'animation' | 'tour', options: RenderOptionsInput): NonNullable<RenderOptions['animation']> {
    const { maxAnimationMs, animationLimitBytes } = this.config;
    const format = options.format ?? 'gif';
    if (!ANIMATION_FORMATS.includes(format)) throw new ValidationError(`"${format}" is not an animation format: use ${ANIMATION_FORMATS.join(' or ')}.`);
    // A tour lasts as long as its presses take, up to the maximum.
    const durationMs = mode === 'tour' ? maxAnimationMs : options.durationMs ?? ANIMATION_DEFAULTS.durationMs;
    if (!Number.isInteger(durationMs) || durationMs < ANIMATION_DEFAULTS.minDurationMs || durationMs > maxAnimationMs) {
      throw new ValidationError(`The animation's duration must be from ${ANIMATION_DEFAULTS.minDurationMs} to ${maxAnimationMs} ms.`);
    }
    const fps = options.fps ?? ANIMATION_DEFAULTS.fps[format];
    if (!Number.isInteger(fps) || fps < 1 || fps > ANIMATION_DEFAULTS.maxFps) {
      throw new ValidationError(`The frame rate must be a whole number from 1 to ${ANIMATION_DEFAULTS.maxFps} fps.`);
    }
    const maxBytes = Math.min(options.maxBytes ?? animationLimitBytes, animationLimitBytes);
    if (!Number.isInteger(maxBytes) || maxBytes < 1024) throw new ValidationError('The size limit of an animation must be at least 1024 bytes.');
    return { durationMs, maxDurationMs: maxAnimationMs, fps, format, maxBytes };
  }
}

/** Parses "WxH" (e.g. 800x600); throws a ValidationError otherwise. */
export function parseSize(text: string): { width: number; height: number } {
  const match = /^\s*(\d{1,5})\s*[xX×*]\s*(\d{1,5})\s*$/.exec(text);
  if (!match) throw new ValidationError(`"${text}" is not a window size: write it as WIDTHxHEIGHT, e.g. 800x600.`);
  return { width: Number(match[1]), height: Number(match[2]) };
}
