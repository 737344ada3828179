#!/usr/bin/env node
import 'reflect-metadata';
import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { container as rootContainer } from 'tsyringe';
import { registerServices } from './composition-root.js';
import { loadEngineConfig, type EngineConfig } from './config.js';
import { runBenchmark } from './core/benchmark.js';
import { ensureEngine, startEngine, stopEngine } from './core/engine.js';
import type { IImageManager } from './core/image-manager.js';
import type { IRenderer } from './core/renderer.js';
import { ANIMATION_FORMATS, RENDER_MODES, type AnimationFormat, type RenderMode } from './models/render-request.js';
import type { RenderResult } from './models/render-result.js';
import type { IDockerService } from './services/docker-service.js';
import { parseSize } from './services/kivy-validator.js';
import { Tokens } from './tokens.js';
import { ConfigError, ValidationError, describeError, errorChain } from './utils/errors.js';
import { createLogger } from './utils/logger.js';

const USAGE = `Usage:
  kivy-render render FILE|- [-o OUT.png|OUT.gif|OUT.mp4] [--size WxH] [--delay MS] [--json] [--no-cache]
                     [--mode screenshot|animation|tour] [--steps FILE|-] [--duration MS] [--fps N]
                     [--format gif|mp4] [--max-bytes N]
  kivy-render bench [--json] [-n N]
  kivy-render image

  --steps: one step per line or separated by ; (or a JSON array): press "Log in", press #submit,
           type #name "Alice", wait 500, scroll #list down. --duration, --fps, --format or a .gif/.mp4 output imply
           --mode animation; a tour presses every button, toggle and tab in turn.

Exit codes: 0 rendered, 1 the snippet failed, 2 usage error, 3 infrastructure problem.`;

const EXIT = { ok: 0, snippet: 1, usage: 2, infrastructure: 3 } as const;

class UsageError extends Error {}

function readSource(file: string): string {
  if (file === '-') return readFileSync(0, 'utf8');
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
  }
}

function jsonSummary(result: RenderResult | null, out: string | null, error: { kind: string; message: string; line: number | null } | null) {
  return {
    ok: result?.ok ?? false,
    cached: result?.cached ?? false,
    out,
    width: result?.width ?? 0,
    height: result?.height ?? 0,
    ms: { queue: result?.timings.queueMs ?? 0, render: result?.timings.renderMs ?? 0, total: result?.timings.totalMs ?? 0 },
    mediaType: result?.media?.type ?? null,
    frames: result?.media?.frames ?? 0,
    stdout: result?.stdout ?? '',
    stderr: result?.stderr ?? '',
    error,
  };
}

async function withEngine<T>(config: EngineConfig, quiet: boolean, work: (services: ReturnType<typeof registerServices>) => Promise<T>): Promise<T> {
  const logger = createLogger(quiet ? 'warn' : config.logLevel);
  const services = registerServices(rootContainer, config, logger);
  const progress = (line: string) => process.stderr.write(`${line}\n`);
  const shutdown = () => void stopEngine(services, logger).finally(() => process.exit(130));
  process.once('SIGINT', shutdown);
  try {
    await startEngine(services, progress);
    return await work(services);
  } finally {
    process.off('SIGINT', shutdown);
    await stopEngine(services, logger);
  }
}

async function renderCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      output: { type: 'string', short: 'o' },
      size: { type: 'string' },
      delay: { type: 'string' },
      json: { type: 'boolean', default: false },
      'no-cache': { type: 'boolean', default: false },
      mode: { type: 'string' },
      steps: { type: 'string' },
      duration: { type: 'string' },
      fps: { type: 'string' },
      format: { type: 'string' },
      'max-bytes': { type: 'string' },
    },
  });
  if (positionals.length !== 1) throw new UsageError('render takes exactly one FILE (or - for standard input)');
  const file = positionals[0];
  const size = values.size ? parseSize(values.size) : {};
  const number = (value: string | undefined) => (value === undefined ? undefined : Number(value));
  const delayMs = number(values.delay);
  const media = mediaChoice(values);
  if (values.steps === '-' && file === '-') throw new UsageError('only one of FILE and --steps can be - (standard input)');
  const code = readSource(file);
  const steps = values.steps === undefined ? undefined : readSource(values.steps);
  const stem = file === '-' ? 'render' : basename(file, extname(file));
  const out = resolve(values.output ?? `${stem}.${media.mode === 'screenshot' ? 'png' : media.format}`);
  // A one-shot render needs no warm spare: the single request boots its own container.
  const config = loadEngineConfig(process.env, { poolSize: 0 });
  const result = await withEngine(config, values.json, (services) =>
    services.resolve<IRenderer>(Tokens.Renderer).render({
      code,
      filename: file === '-' ? undefined : file,
      options: {
        ...size, delayMs, mode: media.mode, steps, format: media.format,
        durationMs: number(values.duration), fps: number(values.fps), maxBytes: number(values['max-bytes']),
      },
      bypassCache: values['no-cache'],
    }),
  );
  if (result.ok && result.image) writeFileSync(out, result.image);
  const error = result.error && { kind: result.error.kind, message: result.error.message, line: result.error.line };
  if (values.json) {
    process.stdout.write(`${JSON.stringify(jsonSummary(result, result.ok ? out : null, error))}\n`);
  } else {
    if (result.stdout) process.stdout.write(result.stdout.endsWith('\n') ? result.stdout : `${result.stdout}\n`);
    if (result.stderr) process.stderr.write(result.stderr.endsWith('\n') ? result.stderr : `${result.stderr}\n`);
    if (result.ok) {
      const clip = result.media && result.media.type !== 'image/png' ? `, ${result.media.frames} frames at ${result.media.fps} fps` : '';
      process.stderr.write(`rendered ${file} -> ${out} (${result.width}x${result.height}${clip}, ${result.timings.totalMs} ms${result.cached ? ', cached' : ''}, Kivy ${result.kivyVersion})\n`);
      if (result.media?.pressed) process.stderr.write(`tour pressed: ${result.media.pressed.join(', ') || 'nothing (no buttons, toggles or tabs)'}\n`);
      if (result.media?.note) process.stderr.write(`note: ${result.media.note}\n`);
    } else if (result.error) {
      const where = result.error.line ? ` (line ${result.error.line})` : '';
      process.stderr.write(`${result.error.kind} error${where}: ${result.error.message}\n`);
      if (result.error.traceback) process.stderr.write(`${result.error.traceback.trimEnd()}\n`);
    }
  }
  return result.ok ? EXIT.ok : EXIT.snippet;
}

/** The mode and format asked for, explicitly or through the output's extension and the animation options. */
function mediaChoice(values: { output?: string; mode?: string; format?: string; duration?: string; fps?: string }): { mode: RenderMode; format?: AnimationFormat } {
  const extension = values.output ? extname(values.output).slice(1).toLowerCase() : '';
  if (values.mode !== undefined && !RENDER_MODES.includes(values.mode as RenderMode)) throw new UsageError(`--mode must be one of ${RENDER_MODES.join(', ')}`);
  if (values.format !== undefined && !ANIMATION_FORMATS.includes(values.format as AnimationFormat)) throw new UsageError(`--format must be ${ANIMATION_FORMATS.join(' or ')}`);
  const implied = values.format ?? (ANIMATION_FORMATS.includes(extension as AnimationFormat) ? extension : undefined);
  const animated = implied !== undefined || values.duration !== undefined || values.fps !== undefined;
  const mode = (values.mode ?? (animated ? 'animation' : 'screenshot')) as RenderMode;
  if (mode === 'screenshot') {
    if (animated) throw new UsageError('--duration, --fps, --format and .gif/.mp4 outputs need --mode animation or tour');
    return { mode };
  }
  const format = (implied ?? 'gif') as AnimationFormat;
  if (extension && extension !== format) throw new UsageError(`the output ${values.output} does not match the ${format} format`);
  return { mode, format };
}

async function benchCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean', default: false }, n: { type: 'string', default: '20' } } });
  const samples = Number(values.n);
  if (!Number.isInteger(samples) || samples < 3) throw new UsageError('-n must be an integer of at least 3');
  const config = loadEngineConfig(process.env, { cacheUrl: 'memory://', instanceId: 'bench' });
  const report = await withEngine(config, true, (services) => runBenchmark(services, { samples, progress: (line) => process.stderr.write(`${line}\n`) }));
  process.stdout.write(values.json ? `${JSON.stringify(report)}\n` : `${report.summary}\n`);
  return EXIT.ok;
}

async function imageCommand(): Promise<number> {
  const config = loadEngineConfig();
  const logger = createLogger(config.logLevel);
  const services = registerServices(rootContainer, config, logger);
  const progress = (line: string) => process.stderr.write(`${line}\n`);
  await ensureEngine(services.resolve<IDockerService>(Tokens.DockerService), config, progress);
  const images = services.resolve<IImageManager>(Tokens.ImageManager);
  await images.ensureImages(progress);
  process.stdout.write(`${images.tag}\n`);
  return EXIT.ok;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const json = rest.includes('--json');
  try {
    switch (command) {
      case 'render':
        return await renderCommand(rest);
      case 'bench':
        return await benchCommand(rest);
      case 'image':
        return await imageCommand();
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        process.stdout.write(`${USAGE}\n`);
        return command ? EXIT.ok : EXIT.usage;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    const usage = error instanceof UsageError || error instanceof ValidationError || error instanceof ConfigError ||
      (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS');
    const described = describeError(error);
    const message = usage ? (error as Error).message : described.message;
    if (json) {
      process.stdout.write(`${JSON.stringify(jsonSummary(null, null, { kind: usage ? 'usage' : described.kind, message, line: null }))}\n`);
    }
    process.stderr.write(`kivy-render: ${message}\n`);
    if (usage) {
      process.stderr.write(`${USAGE}\n`);
      return EXIT.usage;
    }
    if (described.kind === 'infrastructure' && !(error instanceof Error && error.message === message)) {
      process.stderr.write(`  (${errorChain(error)})\n`);
    }
    return EXIT.infrastructure;
  }
}

const invokedDirectly = process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(new URL(import.meta.url).pathname);
if (invokedDirectly) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
