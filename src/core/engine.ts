import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { DependencyContainer } from 'tsyringe';
import type { EngineConfig } from '../config.js';
import type { IDockerService } from '../services/docker-service.js';
import type { ISyntaxChecker } from '../services/syntax-checker.js';
import { Tokens } from '../tokens.js';
import { EngineUnavailableError, errorChain } from '../utils/errors.js';
import type { Logger } from '../utils/logger.js';
import { DOCKER_DIR } from '../utils/paths.js';
import type { ICacheManager } from './cache-manager.js';
import type { IContainerPool } from './container-pool.js';
import type { IImageManager } from './image-manager.js';

/** Pings the engine; when none answers and the config allows it, installs/starts one (docker/ensure-engine.sh). */
export async function ensureEngine(docker: IDockerService, config: EngineConfig, onProgress: (line: string) => void): Promise<void> {
  try {
    await docker.ping();
    return;
  } catch (error) {
    if (!(error instanceof EngineUnavailableError)) throw error;
    if (!config.installDocker) {
      throw new EngineUnavailableError(
        'No Docker engine is reachable. kivy-render needs Docker: start one (e.g. `dockerd --bridge=none`), or run as root on Debian with KIVY_INSTALL_DOCKER=true to let it install and start Debian\'s docker.io.',
        { cause: error },
      );
    }
  }
  onProgress('no Docker engine reachable: installing/starting one with docker/ensure-engine.sh');
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn('bash', [join(DOCKER_DIR, 'ensure-engine.sh')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => chunk.toString().split('\n').filter(Boolean).forEach(onProgress));
    child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(text) : reject(new Error(text.trim() || `exit ${code}`))));
  }).catch((error: unknown) => {
    throw new EngineUnavailableError(`Could not start a Docker engine: ${errorChain(error)}`, { cause: error });
  });
  if (output.trim()) onProgress(output.trim());
  await docker.ping(30_000);
}

/** Engine reachable, images built, orphans removed, pool filling. */
export async function startEngine(container: DependencyContainer, onProgress: (line: string) => void): Promise<void> {
  const config = container.resolve<EngineConfig>(Tokens.Config);
  await ensureEngine(container.resolve<IDockerService>(Tokens.DockerService), config, onProgress);
  await container.resolve<IImageManager>(Tokens.ImageManager).ensureImages(onProgress);
  await container.resolve<IContainerPool>(Tokens.ContainerPool).start();
  container.resolve<ISyntaxChecker>(Tokens.SyntaxChecker).start();
}

/** Drains the pool (no container left behind) and closes the cache. */
export async function stopEngine(container: DependencyContainer, logger: Logger): Promise<void> {
  await container.resolve<IContainerPool>(Tokens.ContainerPool).shutdown().catch((error: unknown) => logger.error(`pool shutdown failed: ${errorChain(error)}`));
  await container.resolve<ISyntaxChecker>(Tokens.SyntaxChecker).stop();
  await container.resolve<ICacheManager>(Tokens.CacheManager).close();
}
