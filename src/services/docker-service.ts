import { PassThrough, type Readable, type Writable } from 'node:stream';
import Docker from 'dockerode';
import { inject, injectable } from 'tsyringe';
import { Tokens } from '../tokens.js';
import type { Logger } from '../utils/logger.js';
import { EngineUnavailableError, InfrastructureError } from '../utils/errors.js';
import { withTimeout } from '../utils/helpers.js';

/** The streams of an attached container or exec: stdin to write, demultiplexed stdout/stderr. */
export interface AttachedStreams {
  stdin: Writable;
  stdout: Readable;
  stderr: Readable;
  /** Destroys every stream; safe to call more than once. */
  close(): void;
}

export interface ContainerSpec {
  image: string;
  labels: Record<string, string>;
  env?: string[];
  cmd?: string[];
  /** Sandbox limits. */
  memoryBytes: number;
  nanoCpus: number;
  pidsLimit: number;
  tmpfsBytes: number;
}

export interface ContainerSummary {
  id: string;
  labels: Record<string, string>;
  state: string;
}

export interface ContainerExit {
  exitCode: number | null;
  oomKilled: boolean;
  running: boolean;
}

export interface BuildOptions {
  contextDir: string;
  files: string[];
  dockerfile: string;
  tag: string;
  buildArgs: Record<string, string>;
  offline: boolean;
  onProgress?: (line: string) => void;
}

/** The only module that talks to the Docker engine. */
export interface IDockerService {
  ping(timeoutMs?: number): Promise<void>;
  engineVersion(): Promise<string>;
  imageExists(tag: string): Promise<boolean>;
  buildImage(options: BuildOptions): Promise<void>;
  createContainer(spec: ContainerSpec): Promise<string>;
  /** Attach before start so no output is lost. */
  attach(id: string): Promise<AttachedStreams>;
  start(id: string): Promise<void>;
  kill(id: string): Promise<void>;
  remove(id: string): Promise<void>;
  inspectExit(id: string): Promise<ContainerExit>;
  list(labels: Record<string, string>): Promise<ContainerSummary[]>;
  /** Runs `cmd` in a running container with stdin/stdout attached (the bench's exec strategy). */
  exec(id: string, cmd: string[], env: string[]): Promise<AttachedStreams>;
}

const CALL_TIMEOUT_MS = 30_000;

/** The hardened HostConfig every render container gets (DESIGN.md, sandbox policy). */
export function sandboxHostConfig(spec: ContainerSpec): Docker.HostConfig {
  return {
    NetworkMode: 'none',
    ReadonlyRootfs: true,
    Tmpfs: { '/tmp': `rw,nosuid,nodev,size=${spec.tmpfsBytes},mode=1777` },
    CapDrop: ['ALL'],
    SecurityOpt: ['no-new-privileges'],
    PidsLimit: spec.pidsLimit,
    Memory: spec.memoryBytes,
    MemorySwap: spec.memoryBytes,
    NanoCpus: spec.nanoCpus,
    Init: true,
    IpcMode: 'private',
    Ulimits: [{ Name: 'nofile', Soft: 256, Hard: 256 }, { Name: 'core', Soft: 0, Hard: 0 }],
    LogConfig: { Type: 'none', Config: {} },
    AutoRemove: false,
  };
}

const statusOf = (error: unknown) => (error as { statusCode?: number } | null)?.statusCode;

@injectable()
export class DockerService implements IDockerService {
  private readonly docker: Docker;

  constructor(@inject(Tokens.Logger) private readonly logger: Logger) {
    this.docker = new Docker();
  }

  private call<T>(what: string, promise: Promise<T>, timeoutMs = CALL_TIMEOUT_MS): Promise<T> {
    return withTimeout(promise, timeoutMs, () => new InfrastructureError(`Docker did not answer "${what}" within ${timeoutMs} ms`)).catch(
      (error: unknown) => {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ECONNREFUSED' || code === 'ENOENT' || code === 'EACCES') {
          throw new EngineUnavailableError('The Docker engine is not reachable.', { cause: error });
        }
        throw error;
      },
    );
  }

  async ping(timeoutMs = 5000): Promise<void> {
    await this.call('ping', this.docker.ping(), timeoutMs);
  }

  async engineVersion(): Promise<string> {
    return (await this.call('version', this.docker.version())).Version;
  }

  async imageExists(tag: string): Promise<boolean> {
    try {
      await this.call('image inspect', this.docker.getImage(tag).inspect());
      return true;
    } catch (error) {
      if (statusOf(error) === 404) return false;
      throw error;
    }
  }

  async buildImage(options: BuildOptions): Promise<void> {
    this.logger.info(`building image ${options.tag} from ${options.dockerfile}`);
    const stream = await this.call(
      'build',
      this.docker.buildImage(
        { context: options.contextDir, src: options.files },
        { t: options.tag, dockerfile: options.dockerfile, buildargs: options.buildArgs, networkmode: options.offline ? 'none' : undefined, rm: true, forcerm: true },
      ),
    );
    await new Promise<void>((resolve, reject) => {
      this.docker.modem.followProgress(
        stream,
        (error: Error | null, output: { error?: string }[]) => {
          const failure = error ?? output.find((entry) => entry.error)?.error;
          if (failure) reject(failure instanceof Error ? failure : new Error(failure));
          else resolve();
        },
        (event: { stream?: string; status?: string }) => {
          const line = (event.stream ?? event.status ?? '').trim();
          if (line) options.onProgress?.(line);
        },
      );
    });
    this.logger.info(`built image ${options.tag}`);
  }

  async createContainer(spec: ContainerSpec): Promise<string> {
    const container = await this.call(
      'create',
      this.docker.createContainer({
        Image: spec.image,
        Cmd: spec.cmd,
        Env: spec.env,
        Labels: spec.labels,
        User: '65534:65534',
        NetworkDisabled: true,
        AttachStdin: true,
        AttachStdout: true,
        AttachStderr: true,
        OpenStdin: true,
        StdinOnce: true,
        Tty: false,
        HostConfig: sandboxHostConfig(spec),
      }),
    );
    this.logger.debug(`created container ${container.id.slice(0, 12)}`);
    return container.id;
  }

  async attach(id: string): Promise<AttachedStreams> {
    const stream = await this.call(
      'attach',
      this.docker.getContainer(id).attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true }),
    );
    return this.demux(stream as unknown as NodeJS.ReadWriteStream & Writable);
  }

  private demux(stream: NodeJS.ReadWriteStream & Writable): AttachedStreams {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    this.docker.modem.demuxStream(stream, stdout, stderr);
    const end = () => {
      stdout.end();
      stderr.end();
    };
    stream.on('end', end);
    stream.on('close', end);
    stream.on('error', (error: Error) => {
      stdout.destroy(error);
      stderr.destroy(error);
    });
    return {
      stdin: stream,
      stdout,
      stderr,
      close: () => {
        (stream as unknown as { destroy(): void }).destroy();
        stdout.destroy();
        stderr.destroy();
      },
    };
  }

  async start(id: string): Promise<void> {
    this.logger.debug(`starting container ${id.slice(0, 12)}`);
    await this.call('start', this.docker.getContainer(id).start());
  }

  async kill(id: string): Promise<void> {
    try {
      await this.call('kill', this.docker.getContainer(id).kill());
      this.logger.debug(`killed container ${id.slice(0, 12)}`);
    } catch (error) {
      // 304/404/409: already stopped or gone, which is what we wanted.
      if (![304, 404, 409].includes(statusOf(error) ?? 0)) throw error;
    }
  }

  async remove(id: string): Promise<void> {
    try {
      await this.call('remove', this.docker.getContainer(id).remove({ force: true, v: true }));
      this.logger.debug(`removed container ${id.slice(0, 12)}`);
    } catch (error) {
      const status = statusOf(error);
      if (status === 404) return;
      // 409: removal already in progress.
      if (status === 409) return;
      throw error;
    }
  }

  async inspectExit(id: string): Promise<ContainerExit> {
    const info = await this.call('inspect', this.docker.getContainer(id).inspect());
    return { exitCode: info.State.Running ? null : info.State.ExitCode, oomKilled: info.State.OOMKilled, running: info.State.Running };
  }

  async list(labels: Record<string, string>): Promise<ContainerSummary[]> {
    const filters = { label: Object.entries(labels).map(([key, value]) => `${key}=${value}`) };
    const containers = await this.call('list', this.docker.listContainers({ all: true, filters }));
    return containers.map((info) => ({ id: info.Id, labels: info.Labels, state: info.State }));
  }

  async exec(id: string, cmd: string[], env: string[]): Promise<AttachedStreams> {
    const exec = await this.call(
      'exec create',
      this.docker.getContainer(id).exec({ Cmd: cmd, Env: env, AttachStdin: true, AttachStdout: true, AttachStderr: true, Tty: false }),
    );
    const stream = await this.call('exec start', exec.start({ hijack: true, stdin: true }));
    return this.demux(stream as unknown as NodeJS.ReadWriteStream & Writable);
  }
}
