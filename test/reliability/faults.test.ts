import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { expect } from 'chai';
import type { IContainerPool } from '../../src/core/container-pool.js';
import type { IImageManager } from '../../src/core/image-manager.js';
import type { IRenderer } from '../../src/core/renderer.js';
import { Tokens } from '../../src/tokens.js';
import { InfrastructureError } from '../../src/utils/errors.js';
import { PROJECT_ROOT } from '../../src/utils/paths.js';
import { labelledContainers, startTestEngine, useTestEngine, waitUntil } from '../support/engine.js';

const label = (text: string) => `from kivy.uix.label import Label\nroot = Label(text=${JSON.stringify(text)})\n`;
const docker = new Docker();

/** Stops dockerd (which stops every container) and starts it again with the project's own script. */
function restartDockerEngine(): void {
  execFileSync('pkill', ['-TERM', '-x', 'dockerd']);
  for (let i = 0; i < 200; i++) {
    try {
      execFileSync('pgrep', ['-x', 'dockerd']);
    } catch {
      break; // gone
    }
    execFileSync('sleep', ['0.1']);
  }
  execFileSync('bash', [join(PROJECT_ROOT, 'docker/ensure-engine.sh')], { stdio: 'ignore' });
}

describe('Faults (real engine)', function () {
  this.timeout(180_000);

  describe('with a running engine', () => {
    const engine = useTestEngine({ poolSize: 1 });
    let renderer: IRenderer;
    let pool: IContainerPool;

    before(() => ({ renderer, pool } = engine));

    it('replaces an idle pool container killed from outside', async () => {
      await waitUntil(() => pool.status().idle === 1, 30_000, 'a warm container');
      const [victim] = await labelledContainers(engine.config.instanceId, 'render');
      await docker.getContainer(victim).kill();
      await waitUntil(async () => pool.status().idle === 1 && !(await labelledContainers(engine.config.instanceId, 'render')).includes(victim), 30_000, 'a replacement');
      expect((await renderer.render({ code: label('after an outside kill'), bypassCache: true })).ok).to.equal(true);
    });

    it('answers a render whose container is killed from outside mid-render, then goes on', async () => {
      await waitUntil(() => pool.status().idle === 1, 30_000, 'a warm container');
      const [victim] = await labelledContainers(engine.config.instanceId, 'render');
      const slow = 'import time\ntime.sleep(3)\n' + label('never shown');
      const pending = renderer.render({ code: slow, bypassCache: true });
      await new Promise((resolve) => setTimeout(resolve, 500));
      await docker.getContainer(victim).kill();
      const result = await pending;
      expect(result.ok).to.equal(false);
      expect(result.error!.kind).to.equal('runtime');
      expect(result.error!.message).to.match(/killed/);
      expect((await renderer.render({ code: label('after a mid-render kill'), bypassCache: true })).ok).to.equal(true);
    });

    it('rebuilds the image when it disappears', async () => {
      const images = engine.resolve<IImageManager>(Tokens.ImageManager);
      await pool.drain();
      await docker.getImage(images.tag).remove({ force: true });
      expect(await docker.getImage(images.tag).inspect().then(() => true, () => false)).to.equal(false);
      await pool.warm(1);
      await waitUntil(() => pool.status().idle === 1, 60_000, 'a container from the rebuilt image');
      expect((await renderer.render({ code: label('after the image vanished'), bypassCache: true })).ok).to.equal(true);
    });

    it('survives a Docker engine restart during a render: a clear error, then the pool rebuilds', async () => {
      await waitUntil(() => pool.status().idle === 1, 30_000, 'a warm container');
      const pending = renderer.render({ code: 'import time\ntime.sleep(4)\n' + label('interrupted'), bypassCache: true });
      await new Promise((resolve) => setTimeout(resolve, 500));
      restartDockerEngine();
      const outcome = await pending.then((result) => ({ result, error: null }), (error: unknown) => ({ result: null, error }));
      expect(outcome.result?.error ?? null, 'a render interrupted by the engine must not look like the snippet\'s fault').to.equal(null);
      expect(outcome.error).to.be.instanceOf(InfrastructureError);
      await waitUntil(() => pool.status().idle === 1, 90_000, 'the pool to rebuild after the restart');
      expect((await renderer.render({ code: label('after the engine restart'), bypassCache: true })).ok).to.equal(true);
    });
  });

  it('renders on when the cache file is corrupted, and the cache recovers', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'kivy-cache-')), 'cache.sqlite');
    writeFileSync(file, Buffer.alloc(32 * 1024, 0x42));
    const engine = await startTestEngine({ poolSize: 1, cacheUrl: `sqlite://${file}` });
    try {
      const { renderer } = engine;
      const first = await renderer.render({ code: label('cache on a broken file') });
      expect(first.ok).to.equal(true);
      const second = await renderer.render({ code: label('cache on a broken file') });
      expect(second.ok).to.equal(true);
      expect(second.cached).to.equal(true);
    } finally {
      await engine.stop();
    }
  });

  it('removes the containers of a bot killed with -9 when it starts again', async () => {
    const instanceId = `test-kill9-${process.pid}`;
    const slow = join(mkdtempSync(join(tmpdir(), 'kivy-slow-')), 'slow.py');
    writeFileSync(slow, 'import time\ntime.sleep(20)\n' + label('never'));
    const child = spawn(process.execPath, [join(PROJECT_ROOT, 'dist/src/cli.js'), 'render', slow, '-o', join(tmpdir(), 'never.png')], {
      env: { ...process.env, KIVY_INSTANCE_ID: instanceId, KIVY_CACHE_URL: 'memory://', LOG_LEVEL: 'error' },
      stdio: 'ignore',
    });
    await waitUntil(async () => (await labelledContainers(instanceId)).length > 0, 30_000, 'the CLI to start a container');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    expect(await labelledContainers(instanceId)).to.have.length.greaterThan(0);
    const restarted = await startTestEngine({ poolSize: 0, instanceId });
    try {
      expect(await labelledContainers(instanceId)).to.deep.equal([]);
    } finally {
      await restarted.stop();
    }
  });
});
