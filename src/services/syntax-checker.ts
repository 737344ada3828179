import { inject, injectable } from 'tsyringe';
import type { EngineConfig } from '../config.js';
import { bootContainer, containerLabels, type WarmContainer } from '../core/container-pool.js';
import type { IImageManager } from '../core/image-manager.js';
import type { ProcessedCode } from '../models/render-request.js';
import type { RenderFailure } from '../models/render-result.js';
import { Tokens } from '../tokens.js';
import { errorChain } from '../utils/errors.js';
import type { Logger } from '../utils/logger.js';
import type { IDockerService } from './docker-service.js';

export interface ISyntaxChecker {
  /**
   * Parses Python with the image's own interpreter, before any render container is taken. Resolves
   * with the syntax error (user's line numbers), or null when the code parses, or when the checker is
   * unavailable (the render container then reports the error itself).
   */
  check(code: ProcessedCode): Promise<RenderFailure | null>;
  /** Boots the checker in the background so the first check does not wait for it. */
  start(): void;
  /** Removes the checker's container. */
  stop(): Promise<void>;
}

const CHECK_TIMEOUT_MS = 3000;

/**
 * One long-lived, sandboxed container running docker/scripts/syntax_check.py. It only parses (no user
 * code runs), so unlike render containers it may serve every request; checks are sent one at a time.
 */
@injectable()
export class SyntaxChecker implements ISyntaxChecker {
  private checker: Promise<WarmContainer> | null = null;
  /** Every container a boot created and nobody removed yet. */
  private readonly created = new Set<string>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    @inject(Tokens.Config) private readonly config: EngineConfig,
    @inject(Tokens.DockerService) private readonly docker: IDockerService,
    @inject(Tokens.ImageManager) private readonly images: IImageManager,
    @inject(Tokens.Logger) private readonly logger: Logger,
  ) {}

  check(code: ProcessedCode): Promise<RenderFailure | null> {
    if (code.mode !== 'python') return Promise.resolve(null); // KV parsing runs directives: only in a render container
    const result = this.queue.then(() => this.ask(code));
    this.queue = result.catch(() => undefined);
    return result;
  }

  start(): void {
    this.checker ??= this.boot();
  }

  private async ask(code: ProcessedCode): Promise<RenderFailure | null> {
    try {
      const container = await (this.checker ??= this.boot());
      container.worker.send({ source: code.source, filename: code.filename });
      const { header } = await container.worker.nextFrame(CHECK_TIMEOUT_MS);
      if (header.type !== 'syntax') throw new Error(`unexpected answer ${String(header.type)}`);
      if (header.ok === true) return null;
      return {
        kind: 'syntax',
        message: String(header.message),
        line: typeof header.line === 'number' ? header.line : null,
        traceback: typeof header.traceback === 'string' ? header.traceback : null,
      };
    } catch (error) {
      this.logger.warn(`syntax checker unavailable, leaving the check to the render: ${errorChain(error)}`);
      await this.stop();
      return null;
    }
  }

  private boot(): Promise<WarmContainer> {
    const labels = containerLabels(this.config.instanceId, 'syntax');
    const booting = bootContainer(this.docker, this.config, this.images.tag, labels, (id) => this.created.add(id), ['--syntax-check']);
    // A checker that fails to start or dies later (killed, engine restart, drain) is removed and
    // replaced on the next check.
    booting.then(
      (container) => container.worker.onEnd(() => this.forget(booting)),
      (error: unknown) => {
        this.logger.warn(`syntax checker did not start: ${errorChain(error)}`);
        this.forget(booting);
      },
    );
    return booting;
  }

  private forget(checker: Promise<WarmContainer>): void {
    if (this.checker === checker) this.checker = null;
    void this.removeCreated(false);
  }

  /** Removes the containers this checker created that are not the live checker (all of them when `all`). */
  private async removeCreated(all: boolean): Promise<void> {
    const live = all ? null : await this.checker?.then((c) => c.id, () => null);
    const doomed = [...this.created].filter((id) => id !== live);
    for (const id of doomed) this.created.delete(id);
    await Promise.all(doomed.map((id) => this.docker.remove(id).catch((error: unknown) => this.logger.warn(`could not remove the syntax checker: ${errorChain(error)}`))));
  }

  async stop(): Promise<void> {
    const checker = this.checker;
    this.checker = null;
    (await checker?.catch(() => null))?.worker.close();
    await this.removeCreated(true);
  }
}
