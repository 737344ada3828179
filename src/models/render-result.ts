export type RenderErrorKind =
  | 'validation'
  | 'syntax'
  | 'runtime'
  | 'timeout'
  | 'memory'
  | 'output-limit'
  | 'infrastructure';

/** Why a snippet did not render; `line` is in the user's own numbering. */
export interface RenderFailure {
  kind: RenderErrorKind;
  message: string;
  line: number | null;
  traceback: string | null;
}

export interface RenderTimings {
  /** Waiting for a warm container. */
  queueMs: number;
  /** Request sent to result received (or cache lookup on a hit). */
  renderMs: number;
  totalMs: number;
}

export type MediaType = 'image/png' | 'image/gif' | 'video/mp4';

/** What the render produced, besides its bytes. */
export interface RenderMedia {
  type: MediaType;
  /** Frames in the file (1 for a screenshot). */
  frames: number;
  /** For animations and tours: the frame rate, length and scale actually used (lowered to fit the byte limit). */
  fps?: number;
  durationMs?: number;
  scale?: number;
  /** A tour: what was pressed, in order. */
  pressed?: string[];
  /** Anything the user should know about the clip (e.g. it was cut short). */
  note?: string;
}

export interface RenderResult {
  ok: boolean;
  /** The screenshot; null for animations and tours (see `image`). */
  png: Buffer | null;
  /**
   * The rendered file, whatever its type (screenshot, GIF or MP4), and what it is. The Renderer sets both
   * on every result (null unless ok); optional only so that results built elsewhere (test fakes) stay valid.
   */
  image?: Buffer | null;
  media?: RenderMedia | null;
  width: number;
  height: number;
  stdout: string;
  stderr: string;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  cached: boolean;
  timings: RenderTimings;
  imageVersion: string;
  kivyVersion: string;
  error: RenderFailure | null;
}
