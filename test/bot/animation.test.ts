import { expect } from 'chai';
import { InteractionResponseType } from 'discord.js';
import type { KivyRenderClient } from '../../src/bot.js';
import type { IContainerPool } from '../../src/core/container-pool.js';
import { Tokens } from '../../src/tokens.js';
import { FakeDiscord, type FakeMember, type InteractionHandle, type VisibleMessage } from '../support/discord/index.js';
import { decodePng, labelledContainers } from '../support/engine.js';
import { gifInfo } from '../support/media.js';
import { expectDiscordContractKept, interactionProbes, startTestBot, type Json } from '../support/bot-harness.js';
import { BUSY_APP } from '../support/snippets.js';

const INSTANCE_ID = `bot-animation-test-${process.pid}`;
/** Every upload and the interactions' `attachment_size_limit`: small enough that a busy clip must be lowered to fit. */
const UPLOAD_LIMIT = 100_000;

/** A square that moves on every frame. */
const MOVING = `from kivy.app import App
from kivy.clock import Clock
from kivy.graphics import Color, Rectangle
from kivy.uix.widget import Widget


class Moving(Widget):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        with self.canvas:
            Color(1, 0, 0, 1)
            self.box = Rectangle(pos=(0, 0), size=(60, 60))
        Clock.schedule_interval(self.step, 0)

    def step(self, _dt):
        self.box.pos = ((Clock.get_boottime() * 200) % 260, 90)


class MovingApp(App):
    def build(self):
        return Moving()


MovingApp().run()
`;


const TWO_BUTTONS = `BoxLayout:
    Button:
        text: 'Left'
        on_press: print('pressed Left')
    Button:
        text: 'Right'
        on_press: print('pressed Right')
`;

/** A press on "Greet" changes the label and prints it; `tag` makes the code (and so the cache key) unique. */
const greeter = (tag: string) => `from kivy.app import App
from kivy.lang import Builder

KV = '''
BoxLayout:
    orientation: 'vertical'
    Label:
        id: greeting
        text: 'Nobody greeted'
        font_size: 40
    Button:
        id: greet
        text: 'Greet'
        on_press: greeting.text = 'Hello ${tag}'; print('greeted:', greeting.text)
'''


class GreeterApp(App):
    def build(self):
        return Builder.load_string(KV)


GreeterApp().run()
`;


describe('the bot records animations and tours and runs steps (real bot, stand-in Discord, real engine)', function () {
  this.timeout(60_000);

  let discord: FakeDiscord;
  let bot: KivyRenderClient;
  /** Recordings that used a container (not refused, not from the cache), for /kivy status. */
  let recorded = 0;

  const { isEdit, finalReply, ephemeralAnswer, shownModal } = interactionProbes(() => discord);
  const contentsOf = (handle: InteractionHandle) => discord.requests.filter(isEdit(handle)).map((request) => (request.json as Json).content);

  function render(by: FakeMember, options: Record<string, string | number>): InteractionHandle {
    return discord.interactChatInput({ user: by, name: 'kivy', subcommand: 'render', options });
  }

  const member = (username?: string) => discord.createMember({ username });
  const fieldsOf = (message: VisibleMessage) => Object.fromEntries((message.embeds[0].fields ?? []).map((field) => [field.name, field.value]));
  const attachment = (message: VisibleMessage, name: string) => message.attachments.find((file) => file.filename === name);
  const buttonsOf = (message: VisibleMessage) => (message.components?.[0] as Json).components as Json[];

  /** A render.gif shown as the embed's image; returns its parsed blocks. */
  function expectGif(message: VisibleMessage) {
    const gif = attachment(message, 'render.gif');
    expect(gif, 'render.gif').to.not.equal(undefined);
    expect(attachment(message, 'render.png')).to.equal(undefined);
    expect(message.embeds[0].image?.url).to.equal(gif!.url);
    expect(gif!.bytes.length).to.be.at.most(UPLOAD_LIMIT);
    return gifInfo(gif!.bytes);
  }

  before(async function () {
    this.timeout(240_000);
    discord = await FakeDiscord.start({ attachmentSizeLimit: UPLOAD_LIMIT });
    bot = await startTestBot(discord, INSTANCE_ID, { KIVY_GUILD_RATE_LIMIT: '500' });
  });

  afterEach(() => expectDiscordContractKept(discord));

  after(async function () {
    this.timeout(120_000);
    await bot?.shutdown();
    await discord?.stop();
    expect(await labelledContainers(INSTANCE_ID), 'containers left behind').to.deep.equal([]);
  });

  it('registers mode (with choices), steps, format and duration (bounded by the engine) on /kivy render', () => {
    const kivy = discord.registeredCommands().find((command) => command.name === 'kivy')!;
    const renderOptions = (kivy.options!.find((option) => option.name === 'render') as Json).options as Json[];
    const byName = Object.fromEntries(renderOptions.map((option) => [option.name, option]));
    expect(renderOptions.map((option) => option.name)).to.deep.equal(['code', 'file', 'size', 'mode', 'steps', 'format', 'duration']);
    expect(byName.mode.choices.map((choice: Json) => choice.value)).to.deep.equal(['screenshot', 'animation', 'tour']);
    expect(byName.format.choices.map((choice: Json) => choice.value)).to.deep.equal(['gif', 'mp4']);
    expect(byName.steps.max_length).to.equal(4000);
    expect([byName.duration.min_value, byName.duration.max_value]).to.deep.equal([0.5, 10]);
  });

  it('mode:animation answers "Recording…", then a GIF in the embed; a repeat comes from the cache; a third is over the rate limit', async () => {
    const user = member('animator');
    const options = { code: MOVING, mode: 'animation', duration: 1, size: '320x240' };
    const handle = render(user, options);
    const reply = await finalReply(handle);
    recorded++;
    expect(discord.interactionResponses(handle.token).callbacks.map((callback) => callback.type)).to.deep.equal([
      InteractionResponseType.DeferredChannelMessageWithSource,
    ]);
    expect(contentsOf(handle)).to.include('Recording…');
    const info = expectGif(reply);
    expect([info.width, info.height, info.frames]).to.deep.equal([320, 240, 10]);
    expect(info.delaysMs.reduce((sum, ms) => sum + ms, 0)).to.equal(1000);
    expect(reply.embeds[0].title).to.equal('Kivy animation');
    const fields = fieldsOf(reply);
    expect(fields.Recording).to.equal('GIF: 10 frames @ 10 fps · 1.0 s');
    expect(fields.Size).to.equal('320×240');
    expect(buttonsOf(reply)[0].custom_id).to.equal('kivy:edit:320x240:animation..1000');

    const again = await finalReply(render(user, options));
    expect(fieldsOf(again).Cache).to.equal('cached');
    expect(attachment(again, 'render.gif')!.bytes.equals(attachment(reply, 'render.gif')!.bytes)).to.equal(true);
    // Two recordings count as four of the five renders a minute: a third does not fit.
    const refused = await ephemeralAnswer(render(user, options));
    expect(refused.content).to.match(/^A recording counts as 2 renders, and you have fewer than that left of the 5 renders allowed per 60 s: try again in \d+ s\.$/);
  });

  it('format:mp4 attaches render.mp4 without an embed image', async () => {
    const reply = await finalReply(render(member(), { code: MOVING, format: 'mp4', duration: 1, size: '320x240' }));
    recorded++;
    const mp4 = attachment(reply, 'render.mp4');
    expect(mp4, 'render.mp4').to.not.equal(undefined);
    expect(mp4!.bytes.subarray(4, 8).toString('latin1')).to.equal('ftyp');
    expect(reply.embeds[0].image ?? null).to.equal(null);
    expect(fieldsOf(reply).Recording).to.match(/^MP4: 1\d frames @ 15 fps · 1\.0 s$/);
  });

  it("fits a busy clip into the interaction's upload limit, saying what was lowered", async () => {
    const reply = await finalReply(render(member(), { code: BUSY_APP, mode: 'animation', duration: 1, size: '320x240' }));
    recorded++;
    const info = expectGif(reply);
    const recording = fieldsOf(reply).Recording;
    const [, fps] = /@ (\d+) fps/.exec(recording)!;
    expect(Number(fps) < 10 || /scaled to \d+% to fit the upload limit/.test(recording), recording).to.equal(true);
    expect(info.frames).to.be.greaterThan(1);
  });

  it('mode:tour presses both buttons of a KV layout and lists them', async () => {
    const reply = await finalReply(render(member(), { code: TWO_BUTTONS, mode: 'tour', size: '320x240' }));
    recorded++;
    const info = expectGif(reply);
    expect(info.frames).to.be.greaterThan(5);
    expect(reply.embeds[0].title).to.equal('Kivy tour');
    expect(fieldsOf(reply).Pressed).to.equal('Button "Left", Button "Right"');
    expect(reply.content).to.include('pressed Left\npressed Right');
  });

  it('steps: a press changes what is shown and printed; the steps are attached as steps.txt', async () => {
    const user = member();
    const code = greeter('steps option');
    const plain = await finalReply(render(user, { code, size: '320x240' }));
    const pressed = await finalReply(render(user, { code, size: '320x240', steps: 'wait 100; press "Greet"' }));
    expect(plain.content).to.equal('');
    expect(pressed.content).to.include('greeted: Hello steps option');
    const [before, after] = [plain, pressed].map((message) => decodePng(attachment(message, 'render.png')!.bytes));
    expect(after.data.equals(before.data), 'the screenshot after the press differs').to.equal(false);
    expect(attachment(pressed, 'steps.txt')!.bytes.toString()).to.equal('wait 100; press "Greet"');
    expect(attachment(plain, 'steps.txt')).to.equal(undefined);
  });

  it('refuses a malformed step before a container is taken, naming the step', async () => {
    const pool = bot.services.resolve<IContainerPool>(Tokens.ContainerPool);
    const started = pool.status().started;
    const data = await ephemeralAnswer(render(member(), { code: greeter('bad step'), mode: 'animation', steps: 'press #greet; scroll #greet sideways' }));
    expect(data.content).to.match(/^Step 2 \(line 1: scroll #greet sideways\): say which way: up, down, left, right, top, bottom/);
    expect(pool.status().started).to.equal(started);
  });

  it('answers a step naming no widget on screen with the step, the widgets there, and the steps kept for editing', async () => {
    const reply = await finalReply(render(member(), { code: greeter('missing widget'), steps: 'press #grete' }));
    expect(reply.embeds[0].title).to.equal('Runtime error');
    expect(reply.embeds[0].description).to.match(/^Step 1 \(line 1: press #grete\): no widget with id "grete" is on screen .*#greet/);
    expect(attachment(reply, 'steps.txt')!.bytes.toString()).to.equal('press #grete');
  });

  it('the editor opened by mode:animation has a steps field and records on submit; Edit & re-render keeps the mode and steps', async () => {
    const user = member('editor');
    const modal = await shownModal(discord.interactChatInput({ user, name: 'kivy', subcommand: 'render', options: { mode: 'animation', duration: 1, steps: 'press Greet' } }));
    expect(modal.customId).to.equal('kivy:prompt:::animation..1000');
    expect(modal.title).to.equal('Record Kivy code (animation)');
    expect(Object.keys(modal.inputs)).to.deep.equal(['code', 'steps']);
    expect(modal.inputs.steps).to.include({ style: 2, required: false, max_length: 4000, value: 'press Greet' });

    const steps = 'wait 200\npress #greet';
    const reply = await finalReply(discord.interactModalSubmit({ user, customId: modal.customId, fields: { code: greeter('modal'), steps } }));
    recorded++;
    expectGif(reply);
    expect(reply.content).to.include('greeted: Hello modal');
    expect(attachment(reply, 'steps.txt')!.bytes.toString()).to.equal(steps);

    const [edit] = buttonsOf(reply);
    const editor = await shownModal(discord.interactButton({ user, customId: edit.custom_id, message: reply }));
    expect(editor.customId).to.equal('kivy:prompt::py:animation..1000');
    expect(editor.inputs.code.value).to.equal(greeter('modal'));
    expect(editor.inputs.steps.value).to.equal(steps);
    const edited = await finalReply(discord.interactModalSubmit({ user, customId: editor.customId, fields: { code: greeter('edited'), steps } }));
    recorded++;
    expectGif(edited);
    expect(edited.content).to.include('greeted: Hello edited');
  });

  it("answers the editor's malformed steps with a refusal naming the step, keeping code and steps editable", async () => {
    const user = member();
    const modal = await shownModal(discord.interactChatInput({ user, name: 'kivy', subcommand: 'render' }));
    expect(modal.inputs.steps).to.include({ required: false });
    const reply = await finalReply(discord.interactModalSubmit({ user, customId: modal.customId, fields: { code: greeter('bad modal step'), steps: 'press #greet\nwait forever' } }));
    expect(reply.embeds[0].title).to.equal('Refused before rendering');
    expect(reply.embeds[0].description).to.match(/^Step 2 \(line 2: wait forever\): say how long/);
    expect(attachment(reply, 'steps.txt')!.bytes.toString()).to.equal('press #greet\nwait forever');
    expect(buttonsOf(reply).map((button) => button.label)).to.deep.equal(['Edit & re-render', 'Delete']);
  });

  it('/kivy status counts animations and tours apart from screenshots', async () => {
    const reply = await finalReply(discord.interactChatInput({ user: member(), name: 'kivy', subcommand: 'status' }));
    const fields = fieldsOf(reply);
    // One recording above came from the cache; none failed.
    expect(fields['Animations and tours since start']).to.match(new RegExp(`^${recorded + 1} \\(0 failed, 1 from cache\\) · p50 \\d+ (ms|s) · p95 \\d+ (ms|s)$`));
    // Two with steps, the missing widget and the editor's malformed steps (refused by the renderer: counted).
    expect(fields['Screenshots since start']).to.match(/^4 \(2 failed, 0 from cache\) · /);
  });
});
