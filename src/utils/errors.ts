import type { RenderErrorKind } from '../models/render-result.js';

/** Base of every domain error: a stable `code`, a user-facing message and the underlying `cause`. */
export class KivyRenderError extends Error {
  readonly code: string = 'internal';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class ConfigError extends KivyRenderError {
  override readonly code = 'config';
  constructor(readonly problems: string[], options?: { cause?: unknown }) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`, options);
  }
}

/** The snippet or its options were refused before any container was used. */
export class ValidationError extends KivyRenderError {
  override readonly code = 'validation';
  constructor(message: string, readonly line: number | null = null, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The render queue is full. */
export class PoolBusyError extends KivyRenderError {
  override readonly code = 'busy';
  constructor(readonly queueLength: number) {
    super(`The renderer is busy (${queueLength} renders queued). Try again in a few seconds.`);
  }
}

/** The pool was drained or shut down while a request waited. */
export class PoolClosedError extends KivyRenderError {
  override readonly code = 'closed';
  constructor(message = 'The render pool is shutting down.') {
    super(message);
  }
}

/** No Docker engine could be reached. */
export class EngineUnavailableError extends KivyRenderError {
  override readonly code = 'engine-unavailable';
}

export class ImageBuildError extends KivyRenderError {
  override readonly code = 'image-build';
}

/** A container failed for reasons that are not the snippet's fault. */
export class InfrastructureError extends KivyRenderError {
  override readonly code = 'infrastructure';
}

export interface UserFacingError {
  kind: RenderErrorKind | 'busy' | 'config' | 'closed';
  message: string;
  /** True when retrying later may help. */
  retryable: boolean;
  /** The user's line the problem is on, when known. */
  line?: number | null;
}

/** The one place that turns any thrown value into what a user (CLI or Discord) is told. */
export function describeError(error: unknown): UserFacingError {
  if (error instanceof ValidationError) return { kind: 'validation', message: error.message, retryable: false, line: error.line };
  if (error instanceof PoolBusyError) return { kind: 'busy', message: error.message, retryable: true };
  if (error instanceof PoolClosedError) return { kind: 'closed', message: error.message, retryable: true };
  if (error instanceof ConfigError) return { kind: 'config', message: error.message, retryable: false };
  if (error instanceof EngineUnavailableError || error instanceof ImageBuildError || error instanceof InfrastructureError) {
    return { kind: 'infrastructure', message: error.message, retryable: true };
  }
  return { kind: 'infrastructure', message: 'Something went wrong on our side; the error was logged.', retryable: true };
}

/** The message of an error and of every cause below it, for logs. */
export function errorChain(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 8; depth++) {
    parts.push(current instanceof Error ? `${current.name}: ${current.message}` : String(current));
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join(' <- ');
}
