import type { AttachedStreams } from '../services/docker-service.js';
import { FrameDecoder, FrameError, encodeRequest, type Frame } from '../utils/frames.js';

export interface ReadyInfo {
  kivy: string;
  python: string;
  bootMs: number;
}

/** Why reading a frame failed: the stream ended, it was malformed, or the time ran out. */
export class WorkerStreamError extends Error {
  constructor(readonly reason: 'ended' | 'malformed' | 'timeout', message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * One conversation with the render worker (docker/scripts/container_init.py) over attached streams:
 * wait for its "ready" frame, send one request, read one result frame.
 */
export class RenderWorker {
  private readonly decoder: FrameDecoder;
  private readonly frames: Frame[] = [];
  private failure: WorkerStreamError | null = null;
  private waiter: (() => void) | null = null;
  private stderrTail = '';
  private readonly endListeners: (() => void)[] = [];

  constructor(readonly streams: AttachedStreams, limits: { headerBytes: number; bodyBytes: number }) {
    this.decoder = new FrameDecoder(limits);
    streams.stdout.on('data', (chunk: Buffer) => {
      if (this.failure) return;
      try {
        this.frames.push(...this.decoder.push(chunk));
      } catch (error) {
        const message = error instanceof FrameError ? error.message : String(error);
        this.failure = new WorkerStreamError('malformed', message, { cause: error });
      }
      this.wake();
    });
    const ended = () => {
      this.failure ??= new WorkerStreamError('ended', 'the container stopped before answering');
      this.wake();
      for (const listener of this.endListeners.splice(0)) listener();
    };
    streams.stdout.on('end', ended);
    streams.stdout.on('close', ended);
    streams.stdout.on('error', ended);
    // The worker's own stderr before the request (Kivy's boot log) is kept for diagnostics only.
    streams.stderr.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-4000);
    });
    streams.stderr.on('error', () => undefined);
    streams.stdin.on('error', () => undefined);
  }

  /** Called once when the worker's output ends (the container stopped or the streams were closed). */
  onEnd(listener: () => void): void {
    if (this.failure?.reason === 'ended') listener();
    else this.endListeners.push(listener);
  }

  get diagnostics(): string {
    return this.stderrTail;
  }

  private wake() {
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.();
  }

  /** The next frame, or a WorkerStreamError when the stream ends, is malformed or `timeoutMs` passes. */
  async nextFrame(timeoutMs: number): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const frame = this.frames.shift();
      if (frame) return frame;
      if (this.failure) throw this.failure;
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new WorkerStreamError('timeout', `no answer within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  async waitReady(timeoutMs: number): Promise<ReadyInfo> {
    const frame = await this.nextFrame(timeoutMs);
    if (frame.header.type === 'boot-error') {
      throw new WorkerStreamError('malformed', `the worker failed to boot: ${String(frame.header.message)}`);
    }
    if (frame.header.type !== 'ready') throw new WorkerStreamError('malformed', `expected a ready frame, got ${String(frame.header.type)}`);
    return {
      kivy: String(frame.header.kivy ?? 'unknown'),
      python: String(frame.header.python ?? 'unknown'),
      bootMs: Number(frame.header.boot_ms ?? 0),
    };
  }

  /** The largest result body accepted from now on (set per request before sending it). */
  setBodyLimit(bytes: number): void {
    this.decoder.setBodyLimit(bytes);
  }

  send(request: unknown): void {
    this.streams.stdin.write(encodeRequest(request));
  }

  close(): void {
    this.streams.close();
  }
}
