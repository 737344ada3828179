import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DependencyContainer } from 'tsyringe';
import type { EngineConfig } from '../config.js';
import type { RenderRequest } from '../models/render-request.js';
import type { ICodeProcessor } from '../services/code-processor.js';
import type { IDockerService } from '../services/docker-service.js';
import { Tokens } from '../tokens.js';
import { percentile, round1 } from '../utils/helpers.js';
import { PROJECT_ROOT } from '../utils/paths.js';
import { bootContainer, containerLabels, type IContainerPool } from './container-pool.js';
import type { IImageManager } from './image-manager.js';
import type { IRenderer } from './renderer.js';
import { RenderWorker } from './render-worker.js';

export interface Distribution {
  p50_ms: number;
  p95_ms: number;
  n: number;
}

export interface BenchReport {
  cold: Distribution;
  exec: Distribution;
  warm: Distribution;
  cache: Distribution;
  /** A 3 s GIF of src/templates/starters/animation.py (800x600, 10 fps): recording plus encoding. */
  animation: Distribution;
  throughput: { renders_per_s: number; n: number; failures: number };
  rss_mb: number;
  ratios: { cold_over_warm: number; exec_over_warm: number };
  summary: string;
}

export const distribution = (samples: number[]): Distribution => ({
  p50_ms: round1(percentile(samples, 50)),
  p95_ms: round1(percentile(samples, 95)),
  n: samples.length,
});

const ANIMATION_MS = 3000;
const ANIMATION_SAMPLES = 5;

/** A hello-world app whose label carries `tag`, so every render is a distinct snippet. */
export function helloSnippet(tag: string | number): string {
  return readFileSync(join(PROJECT_ROOT, 'examples/hello.py'), 'utf8').replace('Hello, Kivy!', `Hello, Kivy! #${tag}`);
}

async function time(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

/**
 * Compares, in one run and on one image: a fresh `docker run` per render (cold), `docker exec` in one
 * long-lived container with Xvfb up (exec, what existing Kivy bots do), this pool (warm), a cache hit,
 * and 30 renders submitted at once.
 */
export async function runBenchmark(services: DependencyContainer, options: { samples: number; progress(line: string): void }): Promise<BenchReport> {
  const config = services.resolve<EngineConfig>(Tokens.Config);
  const docker = services.resolve<IDockerService>(Tokens.DockerService);
  const images = services.resolve<IImageManager>(Tokens.ImageManager);
  const pool = services.resolve<IContainerPool>(Tokens.ContainerPool);
  const renderer = services.resolve<IRenderer>(Tokens.Renderer);
  const processor = services.resolve<ICodeProcessor>(Tokens.CodeProcessor);
  const labels = containerLabels(`${config.instanceId}-baseline`, 'baseline');
  let peakRss = process.memoryUsage().rss;
  const sampleRss = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
  const workerRequest = (tag: string) => {
    const code = processor.process(helloSnippet(tag));
    return { ...code, width: config.defaultWidth, height: config.defaultHeight, delay_ms: 0, timeout_s: 10, output_limit: config.outputLimitBytes };
  };
  const expectPng = (header: Record<string, unknown>) => {
    if (header.ok !== true) throw new Error(`baseline render failed: ${JSON.stringify(header.error)}`);
  };
  const limits = { headerBytes: 1 << 20, bodyBytes: config.pngLimitBytes };

  try {
    options.progress(`cold: a fresh container per render (${options.samples} renders)`);
    const cold: number[] = [];
    for (let i = 0; i < options.samples; i++) {
      let id = '';
      cold.push(
        await time(async () => {
          const container = await bootContainer(docker, config, images.tag, labels, (created) => (id = created));
          container.worker.send(workerRequest(`cold-${i}`));
          expectPng((await container.worker.nextFrame(15_000)).header);
          container.worker.close();
        }).finally(() => docker.remove(id)),
      );
    }

    options.progress(`exec: docker exec in one long-lived container (${options.samples} renders)`);
    const exec: number[] = [];
    const hostId = await docker.createContainer({
      image: images.tag, labels, cmd: ['--display-only'], memoryBytes: config.memoryMb * 1024 * 1024,
      nanoCpus: Math.round(config.cpus * 1e9), pidsLimit: config.pidsLimit, tmpfsBytes: config.tmpfsMb * 1024 * 1024,
    });
    try {
      await docker.start(hostId);
      const display = await waitForDisplay(docker, hostId);
      for (let i = 0; i < options.samples; i++) {
        exec.push(
          await time(async () => {
            const streams = await docker.exec(hostId, ['python3', '/opt/kivy-render/container_init.py'], [`DISPLAY=${display}`]);
            const worker = new RenderWorker(streams, limits);
            try {
              await worker.waitReady(15_000);
              worker.send(workerRequest(`exec-${i}`));
              expectPng((await worker.nextFrame(15_000)).header);
            } finally {
              worker.close();
            }
          }),
        );
      }
    } finally {
      await docker.remove(hostId);
    }

    options.progress(`warm: this pool (${options.samples} renders, pool refilled between them)`);
    const warm: number[] = [];
    await pool.warm(config.poolSize);
    for (let i = 0; i < options.samples; i++) {
      await pool.warm(config.poolSize);
      warm.push(await time(() => renderOrThrow(renderer, { code: helloSnippet(`warm-${i}`), bypassCache: true })));
    }

    options.progress(`cache: a repeated request (${options.samples} lookups)`);
    const cache: number[] = [];
    await renderOrThrow(renderer, { code: helloSnippet('cached') });
    for (let i = 0; i < options.samples; i++) cache.push(await time(() => renderOrThrow(renderer, { code: helloSnippet('cached') })));

    const animationSamples = Math.min(options.samples, ANIMATION_SAMPLES);
    options.progress(`animation: a ${ANIMATION_MS / 1000} s GIF (${animationSamples} renders)`);
    const animation: number[] = [];
    const animationCode = readFileSync(join(PROJECT_ROOT, 'src/templates/starters/animation.py'), 'utf8');
    for (let i = 0; i < animationSamples; i++) {
      await pool.warm(config.poolSize);
      animation.push(await time(() => renderOrThrow(renderer, { code: animationCode, options: { mode: 'animation', durationMs: ANIMATION_MS }, bypassCache: true })));
    }

    const burst = 30;
    options.progress(`throughput: ${burst} renders submitted at once, pool of ${config.poolSize}`);
    await pool.warm(config.poolSize);
    let failures = 0;
    const wall = await time(() =>
      Promise.all(
        Array.from({ length: burst }, (_, i) =>
          renderOrThrow(renderer, { code: helloSnippet(`burst-${i}-${Date.now()}`), bypassCache: true }).catch(() => failures++),
        ),
      ),
    );

    const report = {
      cold: distribution(cold),
      exec: distribution(exec),
      warm: distribution(warm),
      cache: distribution(cache),
      animation: distribution(animation),
      throughput: { renders_per_s: round1((burst / wall) * 1000), n: burst, failures },
      rss_mb: Math.round(peakRss / (1024 * 1024)),
    };
    const ratios = {
      cold_over_warm: round1(report.cold.p50_ms / report.warm.p50_ms),
      exec_over_warm: round1(report.exec.p50_ms / report.warm.p50_ms),
    };
    const line = (name: string, d: Distribution) => `${name.padEnd(9)} p50 ${String(d.p50_ms).padStart(7)} ms   p95 ${String(d.p95_ms).padStart(7)} ms   n=${d.n}`;
    const summary = [
      line('cold', report.cold),
      line('exec', report.exec),
      line('warm', report.warm),
      line('cache', report.cache),
      `${line('animation', report.animation)}   (${ANIMATION_MS / 1000} s GIF)`,
      `warm is ${ratios.cold_over_warm}x faster than cold and ${ratios.exec_over_warm}x faster than exec (p50)`,
      `throughput ${report.throughput.renders_per_s} renders/s (${burst} at once, ${failures} failures), peak RSS ${report.rss_mb} MB`,
    ].join('\n');
    return { ...report, ratios, summary };
  } finally {
    clearInterval(sampleRss);
  }
}

async function renderOrThrow(renderer: IRenderer, request: RenderRequest) {
  const result = await renderer.render(request);
  if (!result.ok) throw new Error(`render failed: ${result.error?.kind}: ${result.error?.message}`);
  return result;
}

/** Reads the display number the entrypoint wrote once Xvfb was up. */
async function waitForDisplay(docker: IDockerService, id: string): Promise<string> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const streams = await docker.exec(id, ['cat', '/tmp/.display'], []);
    const text = await new Promise<string>((resolve) => {
      let output = '';
      streams.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      streams.stdout.on('end', () => resolve(output.trim()));
      streams.stdin.end();
    });
    streams.close();
    if (text.startsWith(':')) return text;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the exec baseline container never reported its display');
}
