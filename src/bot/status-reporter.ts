import { inject, injectable } from 'tsyringe';
import type { CacheStats, ICacheManager } from '../core/cache-manager.js';
import type { IContainerPool } from '../core/container-pool.js';
import type { IImageManager } from '../core/image-manager.js';
import type { IRenderStats, RenderStatsSnapshot } from '../core/render-stats.js';
import type { PoolStatus } from '../models/container-status.js';
import type { IDockerService } from '../services/docker-service.js';
import { Tokens } from '../tokens.js';
import { errorChain } from '../utils/errors.js';
import { withTimeout } from '../utils/helpers.js';
import type { Logger } from '../utils/logger.js';

export interface StatusReport {
  pool: PoolStatus;
  cache: CacheStats;
  renders: RenderStatsSnapshot;
  /** null when the engine does not answer. */
  dockerVersion: string | null;
  image: { tag: string; version: string };
  kivyVersion: string;
}

export interface IStatusReporter {
  report(): Promise<StatusReport>;
}

const DOCKER_VERSION_TIMEOUT_MS = 2000;

/** Gathers what /kivy status shows from the engine's services. */
@injectable()
export class StatusReporter implements IStatusReporter {
  constructor(
    @inject(Tokens.ContainerPool) private readonly pool: IContainerPool,
    @inject(Tokens.CacheManager) private readonly cache: ICacheManager,
    @inject(Tokens.RenderStats) private readonly stats: IRenderStats,
    @inject(Tokens.DockerService) private readonly docker: IDockerService,
    @inject(Tokens.ImageManager) private readonly images: IImageManager,
    @inject(Tokens.Logger) private readonly logger: Logger,
  ) {}

  async report(): Promise<StatusReport> {
    const [cache, dockerVersion] = await Promise.all([this.cache.stats(), this.dockerVersion()]);
    return {
      pool: this.pool.status(),
      cache,
      renders: this.stats.snapshot(),
      dockerVersion,
      image: { tag: this.images.tag, version: this.images.version },
      kivyVersion: this.pool.kivyVersion,
    };
  }

  private async dockerVersion(): Promise<string | null> {
    try {
      return await withTimeout(this.docker.engineVersion(), DOCKER_VERSION_TIMEOUT_MS, () => new Error(`no answer within ${DOCKER_VERSION_TIMEOUT_MS} ms`));
    } catch (error) {
      this.logger.warn(`status: Docker engine version unavailable: ${errorChain(error)}`);
      return null;
    }
  }
}
