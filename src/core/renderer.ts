import { randomUUID } from 'node:crypto';
import { inject, injectable } from 'tsyringe';
import type { EngineConfig } from '../config.js';
import type { ProcessedCode, RenderMode, RenderOptions, RenderRequest } from '../models/render-request.js';
import type { RenderErrorKind, RenderFailure, RenderResult } from '../models/render-result.js';
import type { ICodeProcessor } from '../services/code-processor.js';
import type { IDockerService } from '../services/docker-service.js';
import type { IKivyValidator } from '../services/kivy-validator.js';
import type { ISyntaxChecker } from '../services/syntax-checker.js';
import { Tokens } from '../tokens.js';
import { InfrastructureError, ValidationError } from '../utils/errors.js';
import { round1 } from '../utils/helpers.js';
import type { Logger } from '../utils/logger.js';
import type { CachedRender, ICacheManager } from './cache-manager.js';
import type { IContainerPool, WarmContainer } from './container-pool.js';
import type { IImageManager } from './image-manager.js';
import type { IRenderStats } from './render-stats.js';
import { bodyLimitBytes, mediaOf, renderDeadlineMs, workerFields } from './render-modes.js';
import { WorkerStreamError } from './render-worker.js';

export interface RenderHooks {
  /** The request waits for a container, at this 1-based queue position. */
  onQueued?(position: number): void;
  /** A container was taken and the code sent. */
  onRendering?(): void;
}

export interface IRenderer {
  /** Resolves with the result, failures of the snippet included; throws only domain errors (busy, infrastructure). */
  render(request: RenderRequest, hooks?: RenderHooks): Promise<RenderResult>;
}

const SNIPPET_KINDS: RenderErrorKind[] = ['syntax', 'runtime', 'timeout', 'memory', 'output-limit'];
/** Time the host allows beyond the in-container watchdog before it kills the container. */
const KILL_MARGIN_MS = 1500;

/** What the container sends; the request payload it receives is `WorkerRequest`. */
interface WorkerRequest {
  source: string;
  mode: ProcessedCode['mode'];
  filename: string;
  harness: ProcessedCode['harness'];
  width: number;
  height: number;
  delay_ms: number;
  timeout_s: number;
  output_limit: number;
  /** Steps and recording settings (render-modes.ts); absent for a plain screenshot. */
  [field: string]: unknown;
}

/** Turns a raw worker failure into the user-facing failure. */
function failure(kind: RenderErrorKind, message: string, line: number | null = null, traceback: string | null = null): RenderFailure {
  return { kind, message, line, traceback };
}

@injectable()
export class Renderer implements IRenderer {
  constructor(
    @inject(Tokens.Config) private readonly config: EngineConfig,
    @inject(Tokens.KivyValidator) private readonly validator: IKivyValidator,
    @inject(Tokens.SyntaxChecker) private readonly syntax: ISyntaxChecker,
    @inject(Tokens.CodeProcessor) private readonly processor: ICodeProcessor,
    @inject(Tokens.CacheManager) private readonly cache: ICacheManager,
    @inject(Tokens.ContainerPool) private readonly pool: IContainerPool,
    @inject(Tokens.ImageManager) private readonly images: IImageManager,
    @inject(Tokens.DockerService) private readonly docker: IDockerService,
    @inject(Tokens.RenderStats) private readonly stats: IRenderStats,
    @inject(Tokens.Logger) private readonly logger: Logger,
  ) {}

  async render(request: RenderRequest, hooks: RenderHooks = {}): Promise<RenderResult> {
    const started = performance.now();
    const log = this.logger.child({ render: randomUUID().slice(0, 8), user: request.requester?.userId });
    let options: RenderOptions;
    try {
      options = this.validator.normalizeOptions(request.options);
      this.validator.validateCode(request.code);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      log.info(`refused: ${error.message}`);
      return this.finish(this.emptyResult(started, failure('validation', error.message, error.line)), request.options?.mode);
    }
    const code = this.processor.process(request.code, request.filename, options);
    const key = this.cache.key(this.images.version, code, options);
    if (!request.bypassCache) {
      const cached = await this.cache.get(key);
      if (cached) {
        log.debug('cache hit');
        return this.finish(this.fromCache(cached, started), options.mode);
      }
    }
    const syntaxError = await this.syntax.check(code);
    if (syntaxError) {
      log.info(`syntax error on line ${syntaxError.line}, no container used`);
      return this.finish(this.emptyResult(started, syntaxError), options.mode);
    }
    const lease = await this.pool.acquire({ onQueued: hooks.onQueued });
    const renderStarted = performance.now();
    let result: RenderResult;
    try {
      hooks.onRendering?.();
      log.debug(`rendering in ${lease.container.id.slice(0, 12)} after ${lease.queueMs} ms in queue`);
      result = await this.run(lease.container, code, options);
    } finally {
      void lease.release();
    }
    result.timings = { queueMs: lease.queueMs, renderMs: round1(performance.now() - renderStarted), totalMs: round1(performance.now() - started) };
    log.info(`rendered ${result.ok ? 'ok' : `with ${result.error?.kind} error`} in ${result.timings.totalMs} ms`);
    if (result.ok && result.image) {
      await this.cache.set(key, {
        png: result.image.toString('base64'), media: result.media ?? undefined, width: result.width, height: result.height,
        stdout: result.stdout, stderr: result.stderr, stdoutTruncated: result.stdoutTruncated,
        stderrTruncated: result.stderrTruncated, kivyVersion: result.kivyVersion, renderedAt: Date.now(),
      });
    }
    return this.finish(result, options.mode);
  }

  private finish(result: RenderResult, mode?: RenderMode): RenderResult {
    this.stats.record({ ok: result.ok, cached: result.cached, totalMs: result.timings.totalMs, mode });
    return result;
  }

  /** Sends the request to a warm container and turns whatever happens into a result. */
  private async run(container: WarmContainer, code: ProcessedCode, options: RenderOptions): Promise<RenderResult> {
    const timeoutS = renderDeadlineMs(this.config, options) / 1000;
    const request: WorkerRequest = {
      source: code.source, mode: code.mode, filename: code.filename, harness: code.harness,
      width: options.width, height: options.height, delay_ms: options.delayMs, timeout_s: timeoutS,
      output_limit: this.config.outputLimitBytes, ...workerFields(options),
    };
    const base = this.baseResult(container.ready.kivy);
    container.worker.setBodyLimit(bodyLimitBytes(this.config, options));
    container.worker.send(request);
    let frame;
    try {
      frame = await container.worker.nextFrame(timeoutS * 1000 + KILL_MARGIN_MS);
    } catch (error) {
      if (!(error instanceof WorkerStreamError)) throw error;
      return { ...base, error: await this.explainStreamFailure(container, error, timeoutS) };
    }
    const header = frame.header as Record<string, unknown>;
    const output = this.output(header);
    if (header.type !== 'result') {
      return { ...base, ...output, error: failure('runtime', 'The render returned an unexpected answer (did the snippet write to the result channel?).') };
    }
    if (header.ok === true) {
      const media = mediaOf(header, frame.body, options);
      if (!media) {
        return { ...base, ...output, error: failure('runtime', 'The render returned no valid image (did the snippet write to the result channel?).') };
      }
      const png = media.type === 'image/png' ? frame.body : null;
      return { ...base, ...output, ok: true, png, image: frame.body, media, width: Number(header.width), height: Number(header.height) };
    }
    const raw = (header.error ?? {}) as Partial<RenderFailure>;
    const kind = SNIPPET_KINDS.includes(raw.kind as RenderErrorKind) ? (raw.kind as RenderErrorKind) : 'runtime';
    const line = typeof raw.line === 'number' ? raw.line : null;
    return { ...base, ...output, error: failure(kind, String(raw.message ?? 'The snippet failed.'), line, typeof raw.traceback === 'string' ? raw.traceback : null) };
  }

  /** The container stopped, overran or garbled its answer: find out why and kill it. */
  private async explainStreamFailure(container: WarmContainer, error: WorkerStreamError, timeoutS: number): Promise<RenderFailure> {
    const shortId = container.id.slice(0, 12);
    if (error.reason === 'timeout') {
      await this.docker.kill(container.id).catch(() => undefined);
      return failure('timeout', `The snippet did not show a frame within ${timeoutS} s and was stopped.`);
    }
    if (error.reason === 'malformed') {
      await this.docker.kill(container.id).catch(() => undefined);
      return /body of \d+ bytes exceeds/.test(error.message)
        ? failure('output-limit', `The render produced too much data: ${error.message}.`)
        : failure('runtime', `The render's answer was garbled (${error.message}); did the snippet write to the result channel?`);
    }
    let exit;
    try {
      exit = await this.waitForExit(container.id);
    } catch (cause) {
      throw new InfrastructureError(`The render container ${shortId} vanished during the render (is the Docker engine restarting?).`, { cause });
    }
    if (exit.exitCode === 143) throw new InfrastructureError(`The render container ${shortId} was stopped from outside during the render.`);
    if (exit.oomKilled) return failure('memory', `The snippet used more than the ${this.config.memoryMb} MiB memory limit and was stopped.`);
    if (exit.exitCode === null) {
      await this.docker.kill(container.id).catch(() => undefined);
      throw new InfrastructureError(`Lost the connection to render container ${shortId}.`);
    }
    if (exit.exitCode === 137) {
      return failure('runtime', 'The render process was killed (SIGKILL) before a frame was shown: the process limit or memory limit may have been hit.');
    }
    return failure('runtime', `The snippet ended the process (exit code ${exit.exitCode}) before a frame was shown.`);
  }

  /** The container's exit, waiting briefly for it to be recorded. */
  private async waitForExit(id: string) {
    let exit = await this.docker.inspectExit(id);
    for (let attempt = 0; exit.running && attempt < 20; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      exit = await this.docker.inspectExit(id);
    }
    return exit;
  }

  private output(header: Record<string, unknown>) {
    const mark = (text: unknown, truncated: unknown) =>
      String(text ?? '') + (truncated ? `\n… (output truncated at ${Math.round(this.config.outputLimitBytes / 1024)} KiB)` : '');
    return {
      stdout: mark(header.stdout, header.stdout_truncated),
      stderr: mark(header.stderr, header.stderr_truncated),
      stdoutTruncated: header.stdout_truncated === true,
      stderrTruncated: header.stderr_truncated === true,
    };
  }

  private baseResult(kivyVersion: string): RenderResult {
    return {
      ok: false, png: null, image: null, media: null, width: 0, height: 0, stdout: '', stderr: '', stdoutTruncated: false, stderrTruncated: false,
      cached: false, timings: { queueMs: 0, renderMs: 0, totalMs: 0 }, imageVersion: this.images.version, kivyVersion, error: null,
    };
  }

  private emptyResult(started: number, error: RenderFailure): RenderResult {
    const totalMs = round1(performance.now() - started);
    return { ...this.baseResult(this.pool.kivyVersion), error, timings: { queueMs: 0, renderMs: 0, totalMs } };
  }

  private fromCache(cached: CachedRender, started: number): RenderResult {
    const totalMs = round1(performance.now() - started);
    const image = Buffer.from(cached.png, 'base64');
    const media = cached.media ?? { type: 'image/png', frames: 1 };
    return {
      ...this.baseResult(cached.kivyVersion), ok: true, png: media.type === 'image/png' ? image : null, image, media, width: cached.width, height: cached.height,
      stdout: cached.stdout, stderr: cached.stderr, stdoutTruncated: cached.stdoutTruncated, stderrTruncated: cached.stderrTruncated,
      cached: true, timings: { queueMs: 0, renderMs: totalMs, totalMs },
    };
  }
}
