import { expect } from 'chai';
import type { IImageManager } from '../../src/core/image-manager.js';
import type { IRenderer } from '../../src/core/renderer.js';
import type { RenderResult } from '../../src/models/render-result.js';
import { Tokens } from '../../src/tokens.js';
import { decodePng, useTestEngine } from '../support/engine.js';
import { gifInfo, probeClip } from '../support/media.js';
import { BUSY_APP } from '../support/snippets.js';

const LOGIN = `
from kivy.app import App
from kivy.lang import Builder

KV = '''
BoxLayout:
    orientation: 'vertical'
    TextInput:
        id: name
        hint_text: 'Your name'
        multiline: False
    Button:
        id: submit
        text: 'Log in'
        on_press: app.log_in()
    Label:
        id: greeting
        text: 'Not logged in'
        font_size: 40
    ScrollView:
        id: list
        on_scroll_y: print('scrolled to', round(self.scroll_y, 2))
        GridLayout:
            cols: 1
            size_hint_y: None
            height: 2000
'''


class LoginApp(App):
    def build(self):
        return Builder.load_string(KV)

    def log_in(self):
        self.root.ids.greeting.text = 'Welcome ' + self.root.ids.name.text
        print('greeting:', self.root.ids.greeting.text)


LoginApp().run()
`;

/** A square that moves and changes colour on every frame. */
const MOVING = `
from kivy.app import App
from kivy.clock import Clock
from kivy.graphics import Color, Rectangle
from kivy.uix.widget import Widget


class Moving(Widget):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        with self.canvas:
            self.color = Color(1, 0, 0, 1)
            self.box = Rectangle(pos=(0, 0), size=(60, 60))
        Clock.schedule_interval(self.step, 0)

    def step(self, _dt):
        now = Clock.get_boottime()
        self.box.pos = ((now * 200) % 260, 90)
        self.color.rgb = ((now * 0.7) % 1, 0.5, 1 - (now * 0.7) % 1)


class MovingApp(App):
    def build(self):
        return Moving()


MovingApp().run()
`;


const TOUR = `
from kivy.app import App
from kivy.lang import Builder

KV = '''
TabbedPanel:
    do_default_tab: False
    TabbedPanelItem:
        text: 'Main'
        BoxLayout:
            Button:
                text: 'One'
                on_press: print('pressed One')
            Button:
                text: 'Two'
                on_press: print('pressed Two')
            ToggleButton:
                text: 'Dark mode'
                on_state: print('toggled', self.state)
            Button:
                text: 'Quit'
                on_press: print('pressed Quit'); app.stop()
    TabbedPanelItem:
        text: 'Settings'
        on_press: print('tab Settings')
        Button:
            text: 'Three'
            on_press: print('pressed Three')
'''


class TourApp(App):
    def build(self):
        return Builder.load_string(KV)


TourApp().run()
`;

const SMALL = { width: 320, height: 240 };

/** How many pixels differ between two PNGs of the same size. */
function differingPixels(a: Buffer, b: Buffer): number {
  const [first, second] = [decodePng(a), decodePng(b)];
  expect([first.width, first.height]).to.deep.equal([second.width, second.height]);
  let count = 0;
  for (let offset = 0; offset < first.data.length; offset += 4) {
    if (first.data.readUInt32BE(offset) !== second.data.readUInt32BE(offset)) count++;
  }
  return count;
}

function expectOk(result: RenderResult): void {
  expect(result.error, result.error?.message).to.equal(null);
  expect(result.ok).to.equal(true);
}

describe('Interaction steps, animations and tours (real engine, real image)', function () {
  this.timeout(120_000);
  const engine = useTestEngine({ poolSize: 2 });
  let renderer: IRenderer;
  let imageTag: string;
  let gif: RenderResult;

  before(() => {
    renderer = engine.renderer;
    imageTag = engine.resolve<IImageManager>(Tokens.ImageManager).tag;
  });

  it('shows the state after a scripted press: the label changed, and so did the screenshot', async () => {
    const before = await renderer.render({ code: LOGIN, options: SMALL });
    const after = await renderer.render({ code: LOGIN, options: { ...SMALL, steps: 'type #name "Alice"\npress "Log in"\nscroll #list down\n' } });
    expectOk(before);
    expectOk(after);
    expect(before.stdout).to.equal('');
    expect(after.cached, 'steps are part of the cache key').to.equal(false);
    expect(after.stdout).to.include('greeting: Welcome Alice');
    expect(after.stdout).to.match(/scrolled to 0\.\d+/);
    expect(after.media).to.deep.equal({ type: 'image/png', frames: 1 });
    // The typed name and the new greeting repaint a good part of the window.
    expect(differingPixels(before.png!, after.png!)).to.be.greaterThan(500);
  });

  it('fails a step that names no widget on screen, naming the step and what is there', async () => {
    const result = await renderer.render({ code: LOGIN, options: { ...SMALL, steps: 'wait 10\n\npress #sumbit\n' } });
    expect(result.ok).to.equal(false);
    expect(result.error?.kind).to.equal('runtime');
    expect(result.error?.message).to.match(/^Step 2 \(line 3: press #sumbit\): no widget with id "sumbit" is on screen/);
    expect(result.error?.message).to.include('#submit');
    const byText = await renderer.render({ code: LOGIN, options: { ...SMALL, steps: 'press "Sign up"' } });
    expect(byText.error?.message).to.match(/^Step 1 \(line 1: press "Sign up"\): no widget with the text "Sign up".*"Log in"/);
  });

  it('reports an exception raised by the snippet\'s handler during a step at the user\'s line', async () => {
    const code = 'from kivy.uix.button import Button\n\ndef explode(_button):\n    return 1 / 0\n\nroot = Button(text="Boom", on_press=explode)\n';
    const result = await renderer.render({ code, options: { ...SMALL, steps: 'press Boom' } });
    expect(result.error).to.include({ kind: 'runtime', line: 4 });
    expect(result.error?.message).to.equal('During step 1 (line 1: press Boom): ZeroDivisionError: division by zero');
  });

  it('refuses malformed steps before taking a container', async () => {
    const started = engine.pool.status().started;
    const result = await renderer.render({ code: LOGIN, options: { steps: 'press #submit\nscroll #list sideways' } });
    expect(result.error?.kind).to.equal('validation');
    expect(result.error?.message).to.match(/^Step 2 \(line 2: scroll #list sideways\): say which way/);
    expect(engine.pool.status().started).to.equal(started);
  });

  it('records an animation as a GIF whose frames differ, with the expected frame count, size and timing', async () => {
    gif = await renderer.render({ code: MOVING, options: { ...SMALL, mode: 'animation', durationMs: 1000, fps: 10 } });
    expectOk(gif);
    expect(gif.png).to.equal(null);
    expect(gif.media).to.include({ type: 'image/gif', frames: 10, fps: 10, durationMs: 1000, scale: 1 });
    const info = gifInfo(gif.image!);
    expect([info.width, info.height, info.frames]).to.deep.equal([320, 240, 10]);
    expect(info.delaysMs.reduce((sum, ms) => sum + ms, 0)).to.equal(1000);
    const probed = probeClip(imageTag, gif.image!);
    expect([probed.codec, probed.width, probed.height, probed.frames]).to.deep.equal(['gif', 320, 240, 10]);
    expect(new Set(probed.frameHashes).size, 'distinct frames').to.be.at.least(8);
  });

  it('answers the same animation request from the cache', async () => {
    const again = await renderer.render({ code: MOVING, options: { ...SMALL, mode: 'animation', durationMs: 1000, fps: 10 } });
    expect(again.cached).to.equal(true);
    expect(again.image!.equals(gif.image!)).to.equal(true);
    expect(again.media).to.deep.equal(gif.media);
    expect(again.png).to.equal(null);
  });

  it('records an MP4 that ffprobe decodes with the expected frames and size', async () => {
    const result = await renderer.render({ code: MOVING, options: { ...SMALL, mode: 'animation', durationMs: 1000, fps: 10, format: 'mp4' } });
    expectOk(result);
    expect(result.media).to.include({ type: 'video/mp4', frames: 10, fps: 10 });
    const probed = probeClip(imageTag, result.image!);
    expect([probed.codec, probed.width, probed.height, probed.frames]).to.deep.equal(['h264', 320, 240, 10]);
    expect(new Set(probed.frameHashes).size, 'distinct frames').to.be.at.least(8);
  });

  it('lowers the frame rate or the scale to fit the byte limit, and says so when even the smallest does not fit', async () => {
    // At full rate and size this clip is about 200 KB.
    const maxBytes = 100_000;
    const fitted = await renderer.render({ code: BUSY_APP, options: { ...SMALL, mode: 'animation', durationMs: 1000, fps: 10, maxBytes } });
    expectOk(fitted);
    expect(fitted.image!.length).to.be.at.most(maxBytes);
    expect(fitted.media!.fps! < 10 || fitted.media!.scale! < 1, `lowered: ${JSON.stringify(fitted.media)}`).to.equal(true);
    const info = gifInfo(fitted.image!);
    expect(info.frames).to.equal(fitted.media!.frames);
    expect([info.width, info.height]).to.deep.equal([fitted.width, fitted.height]);

    const hopeless = await renderer.render({ code: MOVING, options: { ...SMALL, mode: 'animation', durationMs: 1000, fps: 10, maxBytes: 1024 } });
    expect(hopeless.ok).to.equal(false);
    expect(hopeless.error?.kind).to.equal('output-limit');
    expect(hopeless.error?.message).to.match(/over the limit of 1\.0 KiB/);
  });

  it('records the steps of an animation, going on until they are done', async () => {
    const steps = 'type #name "Alice"\npress #submit';
    const result = await renderer.render({ code: LOGIN, options: { ...SMALL, mode: 'animation', durationMs: 500, fps: 8, steps } });
    expectOk(result);
    expect(result.stdout).to.include('greeting: Welcome Alice');
    expect(result.media!.durationMs!, 'longer than asked: the steps take longer').to.be.greaterThan(1000);
    const probed = probeClip(imageTag, result.image!);
    expect(probed.frameHashes[0]).not.to.equal(probed.frameHashes.at(-1));
  });

  it('tours the app: presses each button, toggle and tab in turn, in one clip', async () => {
    const result = await renderer.render({ code: TOUR, options: { ...SMALL, mode: 'tour', fps: 8 } });
    expectOk(result);
    const printed = result.stdout.trim().split('\n');
    expect(printed).to.include.members(['pressed One', 'pressed Two', 'toggled down', 'tab Settings', 'pressed Three']);
    // Everything on the first tab comes before the next tab; a Quit button is left alone.
    expect(printed.indexOf('tab Settings')).to.be.greaterThan(printed.indexOf('toggled down'));
    expect(printed).not.to.include('pressed Quit');
    expect(result.media!.pressed).to.include.members(['Button "One"', 'ToggleButton "Dark mode"', 'TabbedPanelItem "Settings"', 'Button "Three"']);
    const info = gifInfo(result.image!);
    expect(info.frames).to.equal(result.media!.frames);
    expect(info.frames).to.be.greaterThan(5);
  });
});
