import 'reflect-metadata';
import { PassThrough } from 'node:stream';
import { expect } from 'chai';
import { loadEngineConfig, type EngineConfig } from '../../src/config.js';
import { ContainerPool, LABEL_INSTANCE } from '../../src/core/container-pool.js';
import type { IImageManager } from '../../src/core/image-manager.js';
import type { AttachedStreams, ContainerExit, ContainerSpec, ContainerSummary, IDockerService } from '../../src/services/docker-service.js';
import { EngineUnavailableError, InfrastructureError, PoolBusyError, PoolClosedError } from '../../src/utils/errors.js';
import { createLogger } from '../../src/utils/logger.js';
import { waitUntil } from '../support/engine.js';

function readyFrame(): Buffer {
  const json = Buffer.from(JSON.stringify({ type: 'ready', kivy: '9.9.9', python: '3', boot_ms: 1, body_length: 0 }));
  const prefix = Buffer.alloc(4);
  prefix.writeUInt32BE(json.length);
  return Buffer.concat([prefix, json]);
}

/** A Docker stand-in whose containers print a ready frame `bootMs` after start. */
class FakeDocker implements IDockerService {
  containers = new Map<string, { labels: Record<string, string>; stdout: PassThrough; removed: boolean }>();
  bootMs = 20;
  down = false;
  private next = 0;

  async ping() {
    if (this.down) throw new EngineUnavailableError('down');
  }
  async engineVersion() {
    return 'fake';
  }
  async imageExists() {
    return true;
  }
  async buildImage() {}
  async createContainer(spec: ContainerSpec) {
    if (this.down) throw new EngineUnavailableError('down');
    const id = `fake-${++this.next}`.padEnd(16, '0');
    this.containers.set(id, { labels: spec.labels, stdout: new PassThrough(), removed: false });
    return id;
  }
  async attach(id: string): Promise<AttachedStreams> {
    const stdout = this.containers.get(id)!.stdout;
    return { stdin: new PassThrough(), stdout, stderr: new PassThrough(), close: () => stdout.destroy() };
  }
  async start(id: string) {
    setTimeout(() => {
      const container = this.containers.get(id)!;
      if (!container.removed) container.stdout.write(readyFrame());
    }, this.bootMs);
  }
  async kill(id: string) {
    this.containers.get(id)?.stdout.end();
  }
  async remove(id: string) {
    const container = this.containers.get(id);
    if (container) {
      container.removed = true;
      container.stdout.destroy();
    }
  }
  async inspectExit(): Promise<ContainerExit> {
    return { exitCode: 0, oomKilled: false, running: false };
  }
  async list(labels: Record<string, string>): Promise<ContainerSummary[]> {
    return [...this.containers.entries()]
      .filter(([, c]) => !c.removed && Object.entries(labels).every(([k, v]) => c.labels[k] === v))
      .map(([id, c]) => ({ id, labels: c.labels, state: 'running' }));
  }
  async exec(): Promise<AttachedStreams> {
    throw new Error('not used');
  }
  live() {
    return [...this.containers.values()].filter((c) => !c.removed).length;
  }
}

const images: IImageManager = { version: 'v1', tag: 'fake:v1', ensureImages: async () => undefined };

function makePool(docker: FakeDocker, overrides: Partial<EngineConfig> = {}) {
  const config = loadEngineConfig({}, { instanceId: 'unit', poolSize: 2, queueLimit: 3, bootTimeoutMs: 2000, ...overrides });
  return new ContainerPool(config, docker, images, createLogger('error'));
}

describe('ContainerPool (with a fake Docker)', () => {
  it('fills to its target and hands out ready containers', async () => {
    const docker = new FakeDocker();
    const pool = makePool(docker);
    await pool.start();
    await waitUntil(() => pool.status().idle === 2, 2000, 'two idle containers');
    const lease = await pool.acquire();
    expect(lease.container.ready.kivy).to.equal('9.9.9');
    expect(pool.kivyVersion).to.equal('9.9.9');
    expect(pool.status().busy).to.equal(1);
    await lease.release();
    await pool.shutdown();
  });

  it('never reuses a container and refills after each release', async () => {
    const docker = new FakeDocker();
    const pool = makePool(docker, { poolSize: 1 });
    await pool.start();
    const first = await pool.acquire();
    await first.release();
    await waitUntil(() => pool.status().idle === 1, 2000, 'the refill');
    const second = await pool.acquire();
    expect(second.container.id).not.to.equal(first.container.id);
    expect(docker.containers.get(first.container.id)!.removed).to.equal(true);
    await second.release();
    await pool.shutdown();
  });

  it('serves waiters first in, first out, telling each its position', async () => {
    const docker = new FakeDocker();
    docker.bootMs = 50;
    const pool = makePool(docker, { poolSize: 0 });
    await pool.start();
    const positions: number[] = [];
    const order: number[] = [];
    const leases = await Promise.all(
      [1, 2, 3].map((n) => pool.acquire({ onQueued: (position) => positions.push(position) }).then((lease) => (order.push(n), lease))),
    );
    expect(positions).to.deep.equal([1, 2, 3]);
    expect(order).to.deep.equal([1, 2, 3]);
    await Promise.all(leases.map((lease) => lease.release()));
    await pool.shutdown();
  });

  it('answers "busy" when the queue is full', async () => {
    const docker = new FakeDocker();
    docker.bootMs = 200;
    const pool = makePool(docker, { poolSize: 0, queueLimit: 2 });
    await pool.start();
    const waiting = [pool.acquire(), pool.acquire()];
    let busy: unknown;
    await pool.acquire().catch((error) => (busy = error));
    expect(busy).to.be.instanceOf(PoolBusyError);
    expect((busy as Error).message).to.match(/busy/);
    await Promise.all((await Promise.all(waiting)).map((lease) => lease.release()));
    await pool.shutdown();
  });

  it('drain fails waiters, removes every idle container and stops refilling until warm()', async () => {
    const docker = new FakeDocker();
    const pool = makePool(docker);
    await pool.start();
    await waitUntil(() => pool.status().idle === 2, 2000, 'two idle containers');
    docker.bootMs = 10_000;
    await pool.drain();
    expect(docker.live()).to.equal(0);
    expect(pool.status()).to.include({ idle: 0, refilling: false });
    let closed: unknown;
    await pool.acquire().catch((error) => (closed = error));
    expect(closed).to.be.instanceOf(PoolClosedError);
    docker.bootMs = 10;
    expect(await pool.warm(3)).to.equal(3);
    expect(pool.status().idle).to.equal(3);
    await pool.shutdown();
    expect(docker.live()).to.equal(0);
  });

  it('removes orphans of this instance at start-up, and only those', async () => {
    const docker = new FakeDocker();
    const spec = { image: 'x', memoryBytes: 1, nanoCpus: 1, pidsLimit: 1, tmpfsBytes: 1 };
    const orphan = await docker.createContainer({ ...spec, labels: { [LABEL_INSTANCE]: 'unit' } });
    const stranger = await docker.createContainer({ ...spec, labels: { [LABEL_INSTANCE]: 'someone-else' } });
    const pool = makePool(docker, { poolSize: 0 });
    await pool.start();
    expect(docker.containers.get(orphan)!.removed).to.equal(true);
    expect(docker.containers.get(stranger)!.removed).to.equal(false);
    await pool.shutdown();
  });

  it('replaces an idle container that dies', async () => {
    const docker = new FakeDocker();
    const pool = makePool(docker, { poolSize: 1 });
    await pool.start();
    await waitUntil(() => pool.status().idle === 1, 2000, 'an idle container');
    const [victim] = pool.status().containers;
    const fullId = [...docker.containers.keys()].find((id) => id.startsWith(victim.id))!;
    docker.containers.get(fullId)!.stdout.end();
    await waitUntil(() => pool.status().idle === 1 && pool.status().containers[0].id !== victim.id, 2000, 'a replacement');
    await pool.shutdown();
  });

  it('fails waiting requests with a clear error when the engine is down', async () => {
    const docker = new FakeDocker();
    const pool = makePool(docker, { poolSize: 0 });
    await pool.start();
    docker.down = true;
    let failure: unknown;
    await pool.acquire().catch((error) => (failure = error));
    expect(failure).to.be.instanceOf(InfrastructureError);
    expect((failure as Error).message).to.match(/cannot start containers/);
    expect(pool.status().lastError).to.match(/down/);
    docker.down = false;
    await pool.shutdown();
  });
});
