/** What the render shows: one screenshot, a recording of the running app, or a recorded tour of its buttons. */
export type RenderMode = 'screenshot' | 'animation' | 'tour';
export const RENDER_MODES: readonly RenderMode[] = ['screenshot', 'animation', 'tour'];

export type AnimationFormat = 'gif' | 'mp4';
export const ANIMATION_FORMATS: readonly AnimationFormat[] = ['gif', 'mp4'];

/** A widget named by a step: by id (KV `id:` or `widget.id`) or by its text. */
export type StepTarget = { id: string } | { text: string };

interface StepBase {
  /** 1-based position in the list, and the line it came from; both name the step in errors. */
  index: number;
  line: number;
  /** The step as the user wrote it (one line), for messages. */
  label: string;
}

/** One scripted interaction, run in the container before the capture (or during a recording). */
export type InteractionStep = StepBase &
  (
    | { action: 'press'; target: StepTarget }
    | { action: 'type'; target: StepTarget; text: string }
    | { action: 'wait'; ms: number }
    | { action: 'scroll'; target: StepTarget; direction: ScrollDirection }
  );

export type ScrollDirection = 'up' | 'down' | 'left' | 'right' | 'top' | 'bottom';
export const SCROLL_DIRECTIONS: readonly ScrollDirection[] = ['up', 'down', 'left', 'right', 'top', 'bottom'];

/** How an animation or tour is recorded and encoded. */
export interface AnimationOptions {
  /** Length of an animation (a tour lasts as long as it takes, up to the maximum). */
  durationMs: number;
  /** Longest recording: the configured maximum. */
  maxDurationMs: number;
  fps: number;
  format: AnimationFormat;
  /** The clip must fit in this many bytes (e.g. the interaction's attachment limit): fps or scale are lowered. */
  maxBytes: number;
}

/** The normalised options; a screenshot without steps carries only the first three (as before). */
export interface RenderOptions {
  /** Window size in pixels. */
  width: number;
  height: number;
  /** Extra time to let the app run before the screenshot, in milliseconds. */
  delayMs: number;
  /** Absent for a screenshot. */
  mode?: Exclude<RenderMode, 'screenshot'>;
  /** Absent when there are none. */
  steps?: InteractionStep[];
  /** Set for animation and tour. */
  animation?: AnimationOptions;
}

/** What a caller may pass; every field is optional and checked by the validator. */
export interface RenderOptionsInput {
  width?: number;
  height?: number;
  delayMs?: number;
  mode?: RenderMode;
  /** Steps as users write them (one per line, or a JSON array), or already parsed. */
  steps?: string | readonly (InteractionStep | string | Record<string, unknown>)[];
  durationMs?: number;
  fps?: number;
  format?: AnimationFormat;
  maxBytes?: number;
}

export interface RenderRequest {
  code: string;
  /** Original file name when the code came from a file: decides Python vs KV for `.kv`. */
  filename?: string;
  options?: RenderOptionsInput;
  /** Who asked: used for logs and rate limits, never for the cache key. */
  requester?: { userId?: string; guildId?: string };
  /** Skip the cache lookup (the result is still stored). */
  bypassCache?: boolean;
}

export type CodeMode = 'python' | 'kv';

/** The code as it is sent into the container. */
export interface ProcessedCode {
  mode: CodeMode;
  source: string;
  filename: string;
  /** Harness scripts (src/templates) that find and show the user's app. */
  harness: { name: string; source: string }[];
}
