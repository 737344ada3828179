import { expect } from 'chai';
import { loadEngineConfig } from '../../src/config.js';
import type { CacheManager } from '../../src/core/cache-manager.js';
import Docker from 'dockerode';
import { LABEL_INSTANCE, LABEL_ROLE, bootContainer, containerLabels, type IContainerPool } from '../../src/core/container-pool.js';
import { ImageManager } from '../../src/core/image-manager.js';
import { DockerService } from '../../src/services/docker-service.js';
import { createLogger } from '../../src/utils/logger.js';
import type { IRenderer } from '../../src/core/renderer.js';
import { Tokens } from '../../src/tokens.js';
import { decodePng, labelledContainers, pixel, startTestEngine, useTestEngine, waitUntil } from '../support/engine.js';

const RECTANGLE = `
from kivy.app import App
from kivy.core.window import Window
from kivy.graphics import Color, Rectangle
from kivy.uix.widget import Widget

Window.clearcolor = (0, 0, 1, 1)


class Canvas(Widget):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        with self.canvas:
            Color(1, 0, 0, 1)
            Rectangle(pos=(0, 0), size=(100, 50))


class RectApp(App):
    def build(self):
        return Canvas()


RectApp().run()
`;

describe('Renderer (real engine, real image)', function () {
  this.timeout(120_000);
  const engine = useTestEngine({ poolSize: 1 });
  let renderer: IRenderer;
  let pool: IContainerPool;

  before(() => ({ renderer, pool } = engine));

  it('draws a known rectangle at the requested size', async () => {
    const result = await renderer.render({ code: RECTANGLE, options: { width: 320, height: 240 } });
    expect(result.error).to.equal(null);
    expect(result.ok).to.equal(true);
    const image = decodePng(result.png!);
    expect([image.width, image.height]).to.deep.equal([320, 240]);
    expect([result.width, result.height]).to.deep.equal([320, 240]);
    // Kivy's origin is bottom-left: the 100x50 red rectangle covers the image's bottom-left corner.
    expect(pixel(image, 10, 235)).to.deep.equal([255, 0, 0]);
    expect(pixel(image, 95, 195)).to.deep.equal([255, 0, 0]);
    expect(pixel(image, 105, 235)).to.deep.equal([0, 0, 255]);
    expect(pixel(image, 300, 20)).to.deep.equal([0, 0, 255]);
    expect(result.kivyVersion).to.match(/^2\.\d+\.\d+/);
    expect(result.timings.totalMs).to.be.greaterThan(0);
  });

  it('renders a KV-only snippet', async () => {
    const kv = [
      'BoxLayout:',
      '    canvas.before:',
      '        Color:',
      '            rgba: 0, 1, 0, 1',
      '        Rectangle:',
      '            pos: self.pos',
      '            size: self.size',
      '    Label:',
      '        text: "KV only"',
      '',
    ].join('\n');
    const result = await renderer.render({ code: kv, options: { width: 200, height: 100 } });
    expect(result.error).to.equal(null);
    const image = decodePng(result.png!);
    expect(pixel(image, 2, 2)).to.deep.equal([0, 255, 0]);
  });

  it('returns what the snippet printed', async () => {
    const code = 'import sys\nfrom kivy.uix.label import Label\nprint("hello from line 3")\nprint("oops", file=sys.stderr)\nroot = Label(text="x")\n';
    const result = await renderer.render({ code });
    expect(result.ok).to.equal(true);
    expect(result.stdout).to.equal('hello from line 3\n');
    expect(result.stderr).to.include('oops');
  });

  it('points a syntax error at the user\'s line, parsed by the image\'s Python before any render container is taken', async () => {
    const started = pool.status().started;
    const code = 'from kivy.app import App\n\nclass A(App):\n    def build(self)\n        return None\n';
    const result = await renderer.render({ code });
    expect(result.ok).to.equal(false);
    expect(result.error).to.include({ kind: 'syntax', line: 4 });
    expect(result.error!.message).to.equal("SyntaxError: expected ':'");
    expect(result.error!.traceback).to.include('File "main.py", line 4');
    expect(pool.status().started).to.equal(started);
    // Syntax only Python 3.12+ accepts: the check uses the image's interpreter, not the host's.
    const modern = await renderer.render({ code: 'type Pair[T] = tuple[T, T]\nfrom kivy.uix.label import Label\nroot = Label(text=f"{"nested"}")\n' });
    expect(modern.error).to.equal(null);
  });

  it('replaces the syntax checker when it is killed from outside', async () => {
    const [checker] = await new Docker().listContainers({ filters: { label: [`${LABEL_ROLE}=syntax`, `${LABEL_INSTANCE}=${engine.config.instanceId}`] } });
    expect(checker, 'a running syntax checker').to.not.equal(undefined);
    await new Docker().getContainer(checker.Id).kill();
    await waitUntil(async () => (await new Docker().listContainers({ filters: { id: [checker.Id] } })).length === 0, 10_000, 'the checker to stop');
    const broken = await renderer.render({ code: 'x = (\n' });
    expect(broken.error?.kind).to.equal('syntax');
    const again = await renderer.render({ code: 'def f(:\n    pass\n' });
    expect(again.error).to.include({ kind: 'syntax', line: 1 });
  });

  it('points a runtime exception at the user\'s line, with a traceback in the user\'s numbering', async () => {
    const code = [
      'from kivy.app import App',
      'from kivy.uix.label import Label',
      '',
      'class Broken(App):',
      '    def build(self):',
      '        items = []',
      '        return Label(text=items[3])',
      '',
      'Broken().run()',
    ].join('\n');
    const result = await renderer.render({ code });
    expect(result.error).to.include({ kind: 'runtime', line: 7 });
    expect(result.error!.message).to.equal('IndexError: list index out of range');
    expect(result.error!.traceback).to.include('File "main.py", line 7, in build');
    expect(result.error!.traceback).not.to.include('kivy-render');
  });

  it('answers an identical second request from the cache', async () => {
    const code = 'from kivy.uix.button import Button\nroot = Button(text="cache me")\n';
    const first = await renderer.render({ code });
    const second = await renderer.render({ code });
    expect(first.cached).to.equal(false);
    expect(second.cached).to.equal(true);
    expect(second.png!.equals(first.png!)).to.equal(true);
    const stats = await engine.resolve<CacheManager>(Tokens.CacheManager).stats();
    expect(stats.hits).to.be.greaterThan(0);
    expect(stats.entries).to.be.greaterThan(0);
  });

  it('refuses bad options and code before taking a container', async () => {
    const started = pool.status().started;
    const result = await renderer.render({ code: 'import subprocess\n' });
    expect(result.error).to.include({ kind: 'validation', line: 1 });
    const big = await renderer.render({ code: 'x = 1\n', options: { width: 9999, height: 10 } });
    expect(big.error?.kind).to.equal('validation');
    expect(pool.status().started).to.equal(started);
  });

  it('refills the pool after each single-use render', async () => {
    await waitUntil(() => pool.status().idle === 1, 30_000, 'a warm container');
    const [before] = pool.status().containers;
    await renderer.render({ code: 'from kivy.uix.label import Label\nroot = Label(text="refill")\n', bypassCache: true });
    await waitUntil(() => pool.status().idle === 1, 30_000, 'the refill');
    const [after] = pool.status().containers;
    expect(after.id).not.to.equal(before.id);
    expect(pool.status().removed).to.be.greaterThan(0);
  });

  it('drain leaves no labelled containers, and warm brings the pool back', async () => {
    await pool.drain();
    expect(await labelledContainers(engine.config.instanceId)).to.deep.equal([]);
    await pool.warm(1);
    expect(pool.status().idle).to.equal(1);
    expect(await labelledContainers(engine.config.instanceId, 'render')).to.have.length(1);
  });
});

describe('ContainerPool start-up (real engine)', function () {
  this.timeout(120_000);

  it('removes containers orphaned by a previous run of the same instance', async () => {
    const config = loadEngineConfig(process.env, { instanceId: `test-orphans-${process.pid}` });
    const docker = new DockerService(createLogger('warn'));
    const images = new ImageManager(config, docker, createLogger('warn'));
    const labels = containerLabels(config.instanceId, 'render');
    // What a crashed bot leaves: one warm container still running, one created but never started.
    const running = await bootContainer(docker, config, images.tag, labels);
    running.worker.close();
    await docker.createContainer({ image: images.tag, labels, memoryBytes: 256 << 20, nanoCpus: 1e9, pidsLimit: 64, tmpfsBytes: 1 << 20 });
    expect(await labelledContainers(config.instanceId)).to.have.length(2);
    const restarted = await startTestEngine({ poolSize: 0, instanceId: config.instanceId });
    try {
      expect(await labelledContainers(config.instanceId)).to.deep.equal([]);
    } finally {
      await restarted.stop();
    }
  });

  it('answers "busy" when the queue is full', async () => {
    const engine = await startTestEngine({ poolSize: 0, queueLimit: 1 });
    const { renderer } = engine;
    try {
      const code = (n: number) => `from kivy.uix.label import Label\nroot = Label(text="${n}")\n`;
      const outcomes = await Promise.allSettled([1, 2, 3].map((n) => renderer.render({ code: code(n) })));
      const busy = outcomes.filter((o) => o.status === 'rejected' && /busy/.test(String((o.reason as Error).message)));
      expect(busy.length).to.be.greaterThan(0);
      expect(outcomes.some((o) => o.status === 'fulfilled' && o.value.ok)).to.equal(true);
    } finally {
      await engine.stop();
    }
  });
});

describe('What a snippet may be (real engine)', function () {
  this.timeout(120_000);
  const engine = useTestEngine({ poolSize: 1 });
  const colourAt = async (code: string) => {
    const result = await engine.renderer.render({ code, options: { width: 160, height: 120 } });
    expect(result.error).to.equal(null);
    return pixel(decodePng(result.png!), 80, 60);
  };
  const FILLED = (colour: string) => `
from kivy.graphics import Color, Rectangle
from kivy.uix.widget import Widget


class Filled(Widget):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        with self.canvas:
            Color(${colour})
            self.rect = Rectangle(pos=self.pos, size=(4000, 4000))
`;

  it('an App subclass without .run()', async () => {
    expect(await colourAt(`from kivy.app import App\n${FILLED('1, 1, 0')}\nclass NoRun(App):\n    def build(self):\n        return Filled()\n`)).to.deep.equal([255, 255, 0]);
  });

  it('runTouchApp(widget)', async () => {
    expect(await colourAt(`from kivy.base import runTouchApp\n${FILLED('0, 1, 1')}\nrunTouchApp(Filled())\n`)).to.deep.equal([0, 255, 255]);
  });

  it('nothing to show gets a clear message', async () => {
    const result = await engine.renderer.render({ code: 'x = 1\nprint(x)\n' });
    expect(result.error!.kind).to.equal('runtime');
    expect(result.error!.message).to.match(/Nothing to show: define an App subclass/);
    expect(result.stdout).to.equal('1\n');
  });

  it('a KV error points at the KV line', async () => {
    const result = await engine.renderer.render({ code: 'BoxLayout:\n    Label:\n        text: "ok"\n      bad_indent: 1\n', filename: 'ui.kv' });
    expect(result.ok).to.equal(false);
    expect(result.error!.line).to.equal(4);
  });
});
