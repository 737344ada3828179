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

export interface RenderResult {
  ok: boolean;
  png: Buffer | null;
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
