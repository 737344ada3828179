import { inject, injectable } from 'tsyringe';
import type { EngineConfig } from '../config.js';
import type { ContainerStatus, PoolStatus } from '../models/container-status.js';
import type { IDockerService } from '../services/docker-service.js';
import { Tokens } from '../tokens.js';
import { EngineUnavailableError, InfrastructureError, PoolBusyError, PoolClosedError, errorChain } from '../utils/errors.js';
import type { Logger } from '../utils/logger.js';
import type { IImageManager } from './image-manager.js';
import { RenderWorker, type ReadyInfo } from './render-worker.js';

export const LABEL_APP = 'kivy-render.app';
export const LABEL_INSTANCE = 'kivy-render.instance';
export const LABEL_ROLE = 'kivy-render.role';

/** Labels of every container this bot instance starts: orphans are found by them. */
export function containerLabels(instanceId: string, role: 'render' | 'syntax' | 'baseline'): Record<string, string> {
  return { [LABEL_APP]: 'kivy-render-bot', [LABEL_INSTANCE]: instanceId, [LABEL_ROLE]: role };
}

/** A booted container: Xvfb up, Kivy imported, window created, waiting on stdin for one request. */
export interface WarmContainer {
  id: string;
  worker: RenderWorker;
  ready: ReadyInfo;
  createdAt: number;
}

export interface ContainerLease {
  container: WarmContainer;
  queueMs: number;
  /** Destroys the container (never reused) and lets the pool refill. Idempotent. */
  release(): Promise<void>;
}

export interface AcquireOptions {
  /** Called when the request has to wait, with its 1-based position in the queue. */
  onQueued?(position: number): void;
}

export interface IContainerPool {
  /** Removes this instance's orphans, then fills the pool in the background. */
  start(): Promise<void>;
  acquire(options?: AcquireOptions): Promise<ContainerLease>;
  /** Sets the target size (default: the configured size), resumes refilling, waits for readiness. */
  warm(count?: number): Promise<number>;
  /** Stops refilling, fails waiting requests, removes every container not in use. */
  drain(): Promise<number>;
  status(): PoolStatus;
  /** Drain, wait for renders in flight (bounded), remove everything labelled for this instance. */
  shutdown(): Promise<void>;
  /** Kivy version reported by the newest ready container ('' before any). */
  readonly kivyVersion: string;
}

/** Creates, attaches and starts one worker container; the same path the benchmark's cold strategy uses. */
export async function bootContainer(
  docker: IDockerService,
  config: EngineConfig,
  image: string,
  labels: Record<string, string>,
  onCreated?: (id: string) => void,
  cmd?: string[],
): Promise<WarmContainer> {
  const id = await docker.createContainer({
    image,
    labels,
    cmd,
    memoryBytes: config.memoryMb * 1024 * 1024,
    nanoCpus: Math.round(config.cpus * 1e9),
    pidsLimit: config.pidsLimit,
    tmpfsBytes: config.tmpfsMb * 1024 * 1024,
  });
  onCreated?.(id);
  const streams = await docker.attach(id);
  const worker = new RenderWorker(streams, { headerBytes: 4 * config.outputLimitBytes + 65536, bodyBytes: config.pngLimitBytes });
  try {
    await docker.start(id);
    const ready = await worker.waitReady(config.bootTimeoutMs);
    return { id, worker, ready, createdAt: Date.now() };
  } catch (error) {
    worker.close();
    throw new InfrastructureError(`container ${id.slice(0, 12)} did not become ready: ${errorChain(error)}`, { cause: error });
  }
}

interface Waiter {
  resolve(lease: ContainerLease): void;
  reject(error: Error): void;
  enqueuedAt: number;
}

const MAX_CONCURRENT_BOOTS = 2;
const MAX_BACKOFF_MS = 15_000;

@injectable()
export class ContainerPool implements IContainerPool {
  private target: number;
  private refilling = true;
  private closed = false;
  private readonly idle: WarmContainer[] = [];
  private readonly busy = new Map<string, WarmContainer>();
  /** Boots in flight; the id is known once the container exists. */
  private readonly warming = new Set<{ id: string | null }>();
  private readonly waiters: Waiter[] = [];
  private readonly removals = new Set<Promise<void>>();
  private consecutiveFailures = 0;
  private backoffTimer: NodeJS.Timeout | null = null;
  private lastError: string | null = null;
  private started = 0;
  private removed = 0;
  private version = '';
  private readyListeners: (() => void)[] = [];

  constructor(
    @inject(Tokens.Config) private readonly config: EngineConfig,
    @inject(Tokens.DockerService) private readonly docker: IDockerService,
    @inject(Tokens.ImageManager) private readonly images: IImageManager,
    @inject(Tokens.Logger) private readonly logger: Logger,
  ) {
    this.target = config.poolSize;
  }

  get kivyVersion(): string {
    return this.version;
  }

  private get labels(): Record<string, string> {
    return containerLabels(this.config.instanceId, 'render');
  }

  private get instanceLabel(): Record<string, string> {
    return { [LABEL_INSTANCE]: this.config.instanceId };
  }

  async start(): Promise<void> {
    await this.removeLabelled(() => true, 'orphan', this.instanceLabel);
    this.refill();
  }

  acquire(options: AcquireOptions = {}): Promise<ContainerLease> {
    if (this.closed) return Promise.reject(new PoolClosedError());
    const enqueuedAt = Date.now();
    const container = this.idle.shift();
    if (container) return Promise.resolve(this.lease(container, enqueuedAt));
    if (this.waiters.length >= this.config.queueLimit) return Promise.reject(new PoolBusyError(this.waiters.length));
    if (!this.refilling) return Promise.reject(new PoolClosedError('The render pool is drained; an admin can warm it with /pool warm.'));
    return new Promise<ContainerLease>((resolve, reject) => {
      this.waiters.push({ resolve, reject, enqueuedAt });
      options.onQueued?.(this.waiters.length);
      this.refill();
    });
  }

  private lease(container: WarmContainer, enqueuedAt: number): ContainerLease {
    this.busy.set(container.id, container);
    let released = false;
    this.refill();
    return {
      container,
      queueMs: Date.now() - enqueuedAt,
      release: async () => {
        if (released) return;
        released = true;
        this.busy.delete(container.id);
        await this.destroy(container.id, container.worker);
        this.refill();
      },
    };
  }

  async warm(count = this.config.poolSize): Promise<number> {
    if (this.closed) throw new PoolClosedError();
    this.target = Math.max(0, Math.min(this.config.maxPoolSize, count));
    this.refilling = true;
    this.consecutiveFailures = 0;
    this.refill();
    const deadline = Date.now() + this.config.bootTimeoutMs;
    while (this.idle.length < this.target && Date.now() < deadline && this.refilling) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 250);
        this.readyListeners.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.target;
  }

  async drain(): Promise<number> {
    this.refilling = false;
    this.clearBackoff();
    for (const waiter of this.waiters.splice(0)) waiter.reject(new PoolClosedError('The render pool was drained.'));
    const idle = this.idle.splice(0);
    await Promise.all(idle.map((container) => this.destroy(container.id, container.worker)));
    // Boots in flight are removed when they finish (see boot()); wait for them and for removals.
    while (this.warming.size > 0 || this.removals.size > 0) {
      await Promise.allSettled([...this.removals]);
      if (this.warming.size > 0) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const busyIds = new Set(this.busy.keys());
    // Everything else of this instance goes too (the syntax checker restarts on its next use).
    const swept = await this.removeLabelled((id) => !busyIds.has(id), 'drained', this.instanceLabel);
    this.logger.info(`pool drained: ${idle.length} idle removed, ${this.busy.size} still rendering`);
    return idle.length + swept;
  }

  async shutdown(): Promise<void> {
    if (this.closed) return;
    await this.drain();
    this.closed = true;
    const deadline = Date.now() + this.config.renderTimeoutMs + 2000;
    while (this.busy.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    await this.removeLabelled(() => true, 'shutdown', this.instanceLabel);
  }

  status(): PoolStatus {
    const containers: ContainerStatus[] = [
      ...this.idle.map((c) => ({ id: c.id.slice(0, 12), state: 'idle' as const, createdAt: c.createdAt })),
      ...[...this.busy.values()].map((c) => ({ id: c.id.slice(0, 12), state: 'busy' as const, createdAt: c.createdAt })),
      ...[...this.warming].map((w) => ({ id: (w.id ?? 'pending').slice(0, 12), state: 'warming' as const, createdAt: Date.now() })),
    ];
    return {
      target: this.target,
      idle: this.idle.length,
      busy: this.busy.size,
      warming: this.warming.size,
      queued: this.waiters.length,
      maxQueue: this.config.queueLimit,
      refilling: this.refilling,
      containers,
      started: this.started,
      removed: this.removed,
      lastError: this.lastError,
    };
  }

  /** Starts boots until idle + warming covers the target plus everyone waiting. */
  private refill(): void {
    if (!this.refilling || this.closed || this.backoffTimer) return;
    const live = () => this.idle.length + this.warming.size + this.busy.size;
    const wanted = () => this.target + this.waiters.length - this.idle.length - this.warming.size;
    while (wanted() > 0 && this.warming.size < MAX_CONCURRENT_BOOTS && live() < this.config.maxPoolSize + this.target) {
      void this.boot();
    }
  }

  private async boot(): Promise<void> {
    const slot = { id: null as string | null };
    this.warming.add(slot);
    let container: WarmContainer | null = null;
    try {
      container = await bootContainer(this.docker, this.config, this.images.tag, this.labels, (id) => {
        slot.id = id;
        this.started++;
      });
      this.consecutiveFailures = 0;
      this.lastError = null;
      this.version = container.ready.kivy;
    } catch (error) {
      if (slot.id) await this.destroy(slot.id, null);
      await this.recoverFromBootFailure(error);
    } finally {
      this.warming.delete(slot);
    }
    if (!container) return this.refill();
    if (!this.refilling || this.closed) {
      await this.destroy(container.id, container.worker);
      return;
    }
    this.watchIdle(container);
    const waiter = this.waiters.shift();
    if (waiter) waiter.resolve(this.lease(container, waiter.enqueuedAt));
    else this.idle.push(container);
    for (const listener of this.readyListeners.splice(0)) listener();
    this.refill();
  }

  /** An idle container that dies (killed from outside, engine restart) leaves the pool at once. */
  private watchIdle(container: WarmContainer): void {
    container.worker.onEnd(() => {
      const index = this.idle.indexOf(container);
      if (index < 0) return;
      this.idle.splice(index, 1);
      this.logger.warn(`idle container ${container.id.slice(0, 12)} stopped unexpectedly; replacing it`);
      void this.destroy(container.id, container.worker).then(() => this.refill());
    });
  }

  /** A missing image (removed from outside) is rebuilt; any other failure backs off. */
  private async recoverFromBootFailure(error: unknown): Promise<void> {
    if (!/no such image/i.test(errorChain(error))) return this.onBootFailure(error);
    this.logger.warn(`image ${this.images.tag} is missing: rebuilding it`);
    try {
      await this.images.ensureImages((line) => this.logger.debug(line));
    } catch (buildError) {
      this.onBootFailure(buildError);
    }
  }

  private onBootFailure(error: unknown): void {
    this.consecutiveFailures++;
    this.lastError = errorChain(error);
    this.logger.error(`container boot failed (${this.consecutiveFailures} in a row): ${this.lastError}`);
    const engineDown = error instanceof EngineUnavailableError || (error instanceof Error && error.cause instanceof EngineUnavailableError);
    if (engineDown || this.consecutiveFailures >= 2) {
      const failure = new InfrastructureError('The render engine cannot start containers right now. Please try again later.', { cause: error });
      for (const waiter of this.waiters.splice(0)) waiter.reject(failure);
    }
    const delay = Math.min(MAX_BACKOFF_MS, 250 * 2 ** (this.consecutiveFailures - 1));
    this.clearBackoff();
    this.backoffTimer = setTimeout(() => {
      this.backoffTimer = null;
      this.refill();
    }, delay);
    this.backoffTimer.unref();
  }

  private clearBackoff(): void {
    if (this.backoffTimer) clearTimeout(this.backoffTimer);
    this.backoffTimer = null;
  }

  /** Kills and removes one container; tracked so drain/shutdown can wait for it. */
  private destroy(id: string, worker: RenderWorker | null): Promise<void> {
    worker?.close();
    const removal = this.docker
      .remove(id)
      .then(() => {
        this.removed++;
      })
      .catch((error: unknown) => {
        this.logger.warn(`could not remove container ${id.slice(0, 12)}: ${errorChain(error)}`);
      })
      .finally(() => this.removals.delete(removal));
    this.removals.add(removal);
    return removal;
  }

  /** Removes the containers carrying `labels` that `keep` selects. */
  private async removeLabelled(keep: (id: string) => boolean, why: string, labels: Record<string, string>): Promise<number> {
    let found;
    try {
      found = await this.docker.list(labels);
    } catch (error) {
      this.logger.warn(`could not list containers to remove (${why}): ${errorChain(error)}`);
      return 0;
    }
    const doomed = found.filter((container) => keep(container.id) && !this.idle.some((c) => c.id === container.id));
    if (doomed.length) this.logger.info(`removing ${doomed.length} ${why} container(s)`);
    await Promise.all(doomed.map((container) => this.destroy(container.id, null)));
    return doomed.length;
  }
}
