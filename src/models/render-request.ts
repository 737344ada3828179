/** What a caller asks the engine to render. */
export interface RenderOptions {
  /** Window size in pixels. */
  width: number;
  height: number;
  /** Extra time to let the app run before the screenshot, in milliseconds. */
  delayMs: number;
}

export interface RenderRequest {
  code: string;
  /** Original file name when the code came from a file: decides Python vs KV for `.kv`. */
  filename?: string;
  options?: Partial<RenderOptions>;
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
