import 'reflect-metadata';
import { expect } from 'chai';
import Docker from 'dockerode';
import { PNG } from 'pngjs';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import { registerServices } from '../../src/composition-root.js';
import { loadEngineConfig, type EngineConfig } from '../../src/config.js';
import { startEngine, stopEngine } from '../../src/core/engine.js';
import { LABEL_INSTANCE, LABEL_ROLE, type IContainerPool } from '../../src/core/container-pool.js';
import type { IRenderer } from '../../src/core/renderer.js';
import { Tokens } from '../../src/tokens.js';
import { createLogger } from '../../src/utils/logger.js';

export interface TestEngine {
  services: DependencyContainer;
  config: EngineConfig;
  renderer: IRenderer;
  pool: IContainerPool;
  resolve<T>(token: symbol): T;
  /** Stops the engine and asserts that none of its containers remain. */
  stop(): Promise<void>;
}

let counter = 0;

/** A real engine (real Docker, real image) with its own instance label and an in-memory cache. */
export async function startTestEngine(overrides: Partial<EngineConfig> = {}): Promise<TestEngine> {
  const config = loadEngineConfig(process.env, {
    instanceId: `test-${process.pid}-${++counter}`,
    cacheUrl: 'memory://',
    poolSize: 1,
    logLevel: process.env.LOG_LEVEL ?? 'warn',
    ...overrides,
  });
  const logger = createLogger(config.logLevel);
  const services = registerServices(rootContainer, config, logger);
  await startEngine(services, () => undefined);
  return {
    services,
    config,
    renderer: services.resolve<IRenderer>(Tokens.Renderer),
    pool: services.resolve<IContainerPool>(Tokens.ContainerPool),
    resolve: <T>(token: symbol) => services.resolve<T>(token),
    stop: async () => {
      await stopEngine(services, logger);
      expect(await labelledContainers(config.instanceId), 'containers left behind').to.deep.equal([]);
    },
  };
}

/** Starts a test engine before the suite and stops it after; the returned object fills in `before`. */
export function useTestEngine(overrides: Partial<EngineConfig> = {}): TestEngine {
  const engine = {} as TestEngine;
  before(async () => Object.assign(engine, await startTestEngine(overrides)));
  after(async () => {
    if (engine.stop) await engine.stop();
  });
  return engine;
}

/** Containers carrying this instance's label (and `role`, when given), running or not. */
export async function labelledContainers(instanceId: string, role?: 'render' | 'syntax'): Promise<string[]> {
  const label = [`${LABEL_INSTANCE}=${instanceId}`, ...(role ? [`${LABEL_ROLE}=${role}`] : [])];
  const found = await new Docker().listContainers({ all: true, filters: { label } });
  return found.map((info) => info.Id);
}

export function decodePng(png: Buffer): PNG {
  return PNG.sync.read(png);
}

/** [r, g, b] of the pixel at (x, y), y counted from the top of the image. */
export function pixel(image: PNG, x: number, y: number): [number, number, number] {
  const offset = (image.width * y + x) * 4;
  return [image.data[offset], image.data[offset + 1], image.data[offset + 2]];
}

export async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
