import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { inject, injectable } from 'tsyringe';
import type { EngineConfig } from '../config.js';
import type { IDockerService } from '../services/docker-service.js';
import { Tokens } from '../tokens.js';
import { ImageBuildError } from '../utils/errors.js';
import { sha256 } from '../utils/helpers.js';
import type { Logger } from '../utils/logger.js';
import { DOCKER_DIR } from '../utils/paths.js';

export const OFFLINE_BASE_IMAGE = 'kivy-render-base:trixie';
const REGISTRY_BASE_IMAGE = 'debian:trixie-slim';

export interface IImageManager {
  /** Content hash of docker/: part of every cache key, and the images' tag. */
  readonly version: string;
  /** The pre-warmed worker image. */
  readonly tag: string;
  /** Builds whatever is missing (base, environment, pre-warmed), reporting progress. Idempotent. */
  ensureImages(onProgress?: (line: string) => void): Promise<void>;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? listFiles(join(dir, entry.name)) : [join(dir, entry.name)]))
    .filter((file) => !file.includes('__pycache__'))
    .sort();
}

@injectable()
export class ImageManager implements IImageManager {
  readonly version: string;
  readonly tag: string;
  private readonly envTag: string;
  private readonly files: string[];
  private ensuring: Promise<void> | null = null;

  constructor(
    @inject(Tokens.Config) private readonly config: EngineConfig,
    @inject(Tokens.DockerService) private readonly docker: IDockerService,
    @inject(Tokens.Logger) private readonly logger: Logger,
  ) {
    this.files = listFiles(DOCKER_DIR).map((file) => relative(DOCKER_DIR, file));
    const contents = this.files.flatMap((file) => [file, readFileSync(join(DOCKER_DIR, file))]);
    this.version = sha256(...contents).slice(0, 12);
    this.tag = `${config.imageRepository}:${this.version}`;
    this.envTag = `${config.imageRepository}-env:${this.version}`;
  }

  ensureImages(onProgress: (line: string) => void = () => undefined): Promise<void> {
    this.ensuring ??= this.build(onProgress).finally(() => {
      this.ensuring = null;
    });
    return this.ensuring;
  }

  private async build(onProgress: (line: string) => void): Promise<void> {
    if (await this.docker.imageExists(this.tag)) return;
    onProgress(`image ${this.tag} is missing: building it (first use only)`);
    const base = await this.baseImage(onProgress);
    const offline = base === OFFLINE_BASE_IMAGE;
    try {
      await this.docker.buildImage({
        contextDir: DOCKER_DIR, files: this.files, dockerfile: 'Dockerfile', tag: this.envTag,
        buildArgs: { BASE_IMAGE: base }, offline, onProgress,
      });
      await this.docker.buildImage({
        contextDir: DOCKER_DIR, files: this.files, dockerfile: 'prewarmed/Dockerfile.prewarmed', tag: this.tag,
        buildArgs: { RENDER_IMAGE: this.envTag }, offline, onProgress,
      });
    } catch (error) {
      throw new ImageBuildError(`Building the render image failed: ${(error as Error).message}`, { cause: error });
    }
    onProgress(`image ${this.tag} is ready`);
  }

  /** The configured base, the offline debootstrap base (built here when possible), or Debian's from a registry. */
  private async baseImage(onProgress: (line: string) => void): Promise<string> {
    if (this.config.baseImage !== 'auto') return this.config.baseImage;
    if (await this.docker.imageExists(OFFLINE_BASE_IMAGE)) return OFFLINE_BASE_IMAGE;
    const canDebootstrap = process.getuid?.() === 0 && existsSync('/etc/debian_version');
    if (!canDebootstrap) return REGISTRY_BASE_IMAGE;
    onProgress(`building the offline base image ${OFFLINE_BASE_IMAGE} with debootstrap (about a minute)`);
    await new Promise<void>((resolve, reject) => {
      const child = spawn('bash', [join(DOCKER_DIR, 'build-base.sh'), OFFLINE_BASE_IMAGE], { stdio: ['ignore', 'pipe', 'pipe'] });
      const forward = (chunk: Buffer) => chunk.toString('utf8').split('\n').filter(Boolean).forEach((line) => onProgress(line));
      let tail = '';
      child.stdout.on('data', forward);
      child.stderr.on('data', (chunk: Buffer) => {
        tail = (tail + chunk.toString('utf8')).slice(-2000);
      });
      child.on('error', reject);
      child.on('close', (code) =>
        code === 0 ? resolve() : reject(new ImageBuildError(`docker/build-base.sh failed (exit ${code}): ${tail.trim()}`)),
      );
    });
    this.logger.info(`built base image ${OFFLINE_BASE_IMAGE}`);
    return OFFLINE_BASE_IMAGE;
  }
}
