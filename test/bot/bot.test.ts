import { expect } from 'chai';
import { ApplicationCommandType, GatewayIntentBits, InteractionResponseType, MessageFlags, PermissionFlagsBits } from 'discord.js';
import type { ITemplateLibrary } from '../../src/bot/template-library.js';
import type { KivyRenderClient } from '../../src/bot.js';
import type { IContainerPool } from '../../src/core/container-pool.js';
import type { IRenderer } from '../../src/core/renderer.js';
import { Tokens } from '../../src/tokens.js';
import { FakeDiscord, type FakeMember, type InteractionHandle, type VisibleMessage } from '../support/discord/index.js';
import { DockerProxy } from '../support/docker-proxy.js';
import { decodePng, labelledContainers, waitUntil } from '../support/engine.js';
import { expectDiscordContractKept, interactionProbes, startTestBot, type Json } from '../support/bot-harness.js';

const INSTANCE_ID = `bot-test-${process.pid}`;
const BUTTON_TTL_S = 3;

/** A hello-world app; `tag` makes the code (and so the cache key) unique. */
const hello = (tag: string) => `from kivy.app import App
from kivy.uix.label import Label


class HelloApp(App):
    def build(self):
        return Label(text='Hello ${tag}')


HelloApp().run()
`;

const KV_BUTTONS = `BoxLayout:
    Button:
        text: 'Left'
    Button:
        text: 'Right'
`;

const BROKEN = `from kivy.app import App
from kivy.uix.label import Label


class Broken(App):
    def build(self):
        return Label(text=undefined_name)


Broken().run()
`;

const LOUD = `from kivy.app import App
from kivy.uix.label import Label

print('@everyone look <@123456789012345678> <@&223456789012345678>')


class Loud(App):
    def build(self):
        return Label(text='loud')


Loud().run()
`;


describe('the bot against a local Discord (real discord.js, Sapphire and engine)', function () {
  this.timeout(60_000);

  let discord: FakeDiscord;
  let proxy: DockerProxy;
  let bot: KivyRenderClient;
  let previousDockerHost: string | undefined;
  let poolOwner: FakeMember;

  const { isCallback, editsOf, finalReply, ephemeralAnswer, shownModal } = interactionProbes(() => discord);

  /** Each test renders as its own members: the per-user rate limit (5 a minute) is tested on its own. */
  const member = (username?: string) => discord.createMember({ username });

  function render(by: FakeMember, code: string, extra: Record<string, string> = {}): InteractionHandle {
    return discord.interactChatInput({ user: by, name: 'kivy', subcommand: 'render', options: { code, ...extra } });
  }

  function expectPng(message: VisibleMessage, size: [number, number]): void {
    const image = message.attachments.find((attachment) => attachment.filename === 'render.png');
    expect(image, 'render.png').to.not.equal(undefined);
    const png = decodePng(image!.bytes);
    expect([png.width, png.height]).to.deep.equal(size);
    expect(message.embeds[0].image?.url).to.equal(image!.url);
  }

  const fieldsOf = (message: VisibleMessage) => Object.fromEntries((message.embeds[0].fields ?? []).map((field) => [field.name, field.value]));
  const buttonsOf = (message: VisibleMessage) => (message.components?.[0] as Json | undefined)?.components as Json[];

  before(async function () {
    this.timeout(240_000);
    discord = await FakeDiscord.start();
    poolOwner = discord.createMember({ username: 'bot-owner' });
    proxy = new DockerProxy();
    await proxy.up();
    previousDockerHost = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = proxy.dockerHost;
    bot = await startTestBot(discord, INSTANCE_ID, {
      OWNER_IDS: poolOwner.user.id,
      KIVY_MESSAGE_LISTENER: 'true',
      KIVY_RENDER_BUTTON_TTL_S: String(BUTTON_TTL_S),
      KIVY_GUILD_RATE_LIMIT: '500',
    });
  });

  afterEach(() => expectDiscordContractKept(discord));

  after(async function () {
    this.timeout(120_000);
    await bot?.shutdown();
    await discord?.stop();
    if (previousDockerHost === undefined) delete process.env.DOCKER_HOST;
    else process.env.DOCKER_HOST = previousDockerHost;
    await proxy?.down();
    expect(await labelledContainers(INSTANCE_ID), 'containers left behind').to.deep.equal([]);
  });

  describe('start-up', () => {
    it('registers every command in one bulk overwrite and asks for Message Content only for the listener', () => {
      const puts = discord.requests.filter((request) => request.method === 'PUT' && request.route === '/applications/{application_id}/commands');
      expect(puts).to.have.lengthOf(1);
      const commands = discord.registeredCommands();
      expect(commands.map((command) => [command.type, command.name])).to.have.deep.members([
        [ApplicationCommandType.ChatInput, 'kivy'],
        [ApplicationCommandType.ChatInput, 'pool'],
        [ApplicationCommandType.Message, 'Render Kivy'],
      ]);
      const kivy = commands.find((command) => command.name === 'kivy')!;
      expect(kivy.options?.map((option) => option.name)).to.deep.equal(['render', 'template', 'status']);
      const pool = commands.find((command) => command.name === 'pool')!;
      expect(pool.options?.map((option) => option.name)).to.deep.equal(['warm', 'drain']);
      expect(pool.default_member_permissions).to.equal(PermissionFlagsBits.Administrator.toString());
      expect(discord.identifyPayload!.intents & GatewayIntentBits.MessageContent).to.equal(GatewayIntentBits.MessageContent);
    });
  });

  describe('/kivy render', () => {
    it('with code: defers, then edits the reply to a real PNG, an embed, the source and buttons', async () => {
      const user = member();
      const code = hello('code option');
      const handle = render(user, code, { size: '640x480' });
      const reply = await finalReply(handle);
      expect(discord.interactionResponses(handle.token).callbacks.map((callback) => callback.type)).to.deep.equal([
        InteractionResponseType.DeferredChannelMessageWithSource,
      ]);
      expectPng(reply, [640, 480]);
      const fields = fieldsOf(reply);
      expect(fields.Kivy).to.match(/^\d+\.\d+\.\d+/);
      expect(fields.Cache).to.equal('fresh render');
      expect(fields.Size).to.equal('640×480');
      expect(reply.attachments.find((attachment) => attachment.filename === 'snippet.py')?.bytes.toString()).to.equal(code);
      expect(buttonsOf(reply).map((button) => [button.label, button.custom_id])).to.deep.equal([
        ['Edit & re-render', 'kivy:edit:640x480'],
        ['Delete', `kivy:delete:${user.user.id}`],
      ]);
      expect(reply.flags! & MessageFlags.Ephemeral).to.equal(0);
    });

    it('answers a cache hit correctly too', async () => {
      const user = member();
      const code = hello('cached');
      await finalReply(render(user, code));
      const again = await finalReply(render(user, code));
      expect(fieldsOf(again).Cache).to.equal('cached');
      expectPng(again, [800, 600]);
    });

    it('without code or file: opens the editor modal, and renders what is submitted', async () => {
      const user = member();
      const open = discord.interactChatInput({ user, name: 'kivy', subcommand: 'render' });
      const modal = await shownModal(open);
      expect(modal.input).to.include({ custom_id: 'code', style: 2, max_length: 4000 });
      const submit = discord.interactModalSubmit({ user, customId: modal.customId, fields: { code: KV_BUTTONS } });
      const reply = await finalReply(submit);
      expectPng(reply, [800, 600]);
      expect(reply.attachments.map((attachment) => attachment.filename)).to.include('snippet.kv');
    });

    it('with a .kv file: downloads it and renders it', async () => {
      const user = member();
      const downloadsBefore = discord.downloads.length;
      const handle = discord.interactChatInput({
        user,
        name: 'kivy',
        subcommand: 'render',
        attachments: { file: { name: 'buttons.kv', data: KV_BUTTONS.replace('Left', 'From a file') } },
      });
      const reply = await finalReply(handle);
      expectPng(reply, [800, 600]);
      expect(discord.downloads.length).to.equal(downloadsBefore + 1);
      expect(reply.attachments.map((attachment) => attachment.filename)).to.include('buttons.kv');
    });

    it('refuses a file that is not .py or .kv before deferring', async () => {
      const user = member();
      const handle = discord.interactChatInput({ user, name: 'kivy', subcommand: 'render', attachments: { file: { name: 'notes.txt', data: 'hello' } } });
      expect((await ephemeralAnswer(handle)).content).to.match(/not a \.py or \.kv file/);
    });

    it('refuses code the validator rejects before a container is taken, naming the line', async () => {
      const user = member();
      const started = bot.services.resolve<IContainerPool>(Tokens.ContainerPool).status().started;
      const handle = render(user, 'from kivy.app import App\nimport subprocess\n');
      expect((await ephemeralAnswer(handle)).content).to.match(/^Line 2 uses the subprocess module/);
      expect(bot.services.resolve<IContainerPool>(Tokens.ContainerPool).status().started).to.equal(started);
    });

    it("shows a failing snippet's kind, line and traceback, with the user's line numbers", async () => {
      const user = member();
      const reply = await finalReply(render(user, BROKEN));
      const [embed] = reply.embeds;
      expect(embed.title).to.equal('Runtime error on line 7');
      expect(embed.description).to.match(/^NameError: name 'undefined_name' is not defined\n```py\n/);
      expect(embed.description).to.match(/line 7, in build/);
      expect(embed.description!.length).to.be.at.most(4096);
      expect(buttonsOf(reply).map((button) => button.label)).to.deep.equal(['Edit & re-render', 'Delete']);
      expect(reply.attachments.map((attachment) => attachment.filename)).to.deep.equal(['snippet.py']);
    });

    it('echoes printed output with mentions neutralised and allows no mentions', async () => {
      const user = member();
      const handle = render(user, LOUD);
      const reply = await finalReply(handle);
      expect(reply.content).to.include('@\u200beveryone look <@\u200b123456789012345678> <@\u200b&223456789012345678>');
      expect(reply.mentions).to.deep.equal([]);
      const final = editsOf(handle).at(-1)!;
      expect(final.allowed_mentions).to.deep.equal({ parse: [], replied_user: false });
    });

    it('shows the queue position, then "Rendering…", when every container is busy', async () => {
      const user = member();
      const pool = bot.services.resolve<IContainerPool>(Tokens.ContainerPool);
      await pool.warm(2);
      const handles = [1, 2, 3].map((n) => render(user, hello(`queue ${n} ${Date.now()}`)));
      const replies = await Promise.all(handles.map((handle) => finalReply(handle)));
      replies.forEach((reply) => expectPng(reply, [800, 600]));
      const queued = handles.filter((handle) => editsOf(handle).some((edit) => /position 1 in the queue/.test(edit.content ?? '')));
      expect(queued).to.have.lengthOf(1);
      const contents = editsOf(queued[0]).map((edit) => edit.content);
      expect(contents.slice(0, 2)).to.deep.equal(['Waiting for a render container: position 1 in the queue…', 'Rendering…']);
      expect(fieldsOf(discord.originalMessage(queued[0].token)!)['Render time']).to.match(/waiting/);
    });
  });

  describe('the buttons of a render', () => {
    let user: FakeMember;
    let rendered: VisibleMessage;

    before(async () => {
      user = member('author');
      rendered = await finalReply(render(user, hello('buttons'), { size: '320x240' }));
    });

    it('"Edit & re-render" opens the editor with the code, and the edit renders at the same size', async () => {
      const editor = discord.createMember({ username: 'editor' });
      const click = discord.interactButton({ user: editor, customId: 'kivy:edit:320x240', message: rendered });
      const modal = await shownModal(click);
      expect(modal.input.value).to.equal(hello('buttons'));
      const submit = discord.interactModalSubmit({ user: editor, customId: modal.customId, fields: { code: hello('edited') } });
      const reply = await finalReply(submit);
      expectPng(reply, [320, 240]);
      expect(reply.attachments.find((attachment) => attachment.filename === 'snippet.py')?.bytes.toString()).to.equal(hello('edited'));
      expect(buttonsOf(reply)[1].custom_id).to.equal(`kivy:delete:${editor.user.id}`);
    });

    it('"Delete" is refused to someone else', async () => {
      const stranger = discord.createMember({ username: 'stranger' });
      const click = discord.interactButton({ user: stranger, customId: `kivy:delete:${user.user.id}`, message: rendered });
      expect((await ephemeralAnswer(click)).content).to.match(/^Only the person who asked for this render/);
      expect(discord.message(rendered.id)).to.not.equal(undefined);
    });

    it('"Delete" works for the author', async () => {
      const click = discord.interactButton({ user, customId: `kivy:delete:${user.user.id}`, message: rendered });
      await discord.waitFor((request) => request.interactionToken === click.token && request.method === 'DELETE');
      expect(discord.message(rendered.id)).to.equal(undefined);
    });

    it('"Delete" works for a member with Manage Messages', async () => {
      const other = await finalReply(render(user, hello('moderated')));
      const moderator = discord.createAdmin({ username: 'moderator' });
      const click = discord.interactButton({ user: moderator, customId: `kivy:delete:${user.user.id}`, message: other });
      await discord.waitFor((request) => request.interactionToken === click.token && request.method === 'DELETE');
      expect(discord.message(other.id)).to.equal(undefined);
    });
  });

  describe('/kivy template', () => {
    it('autocompletes template names', async () => {
      const user = member();
      const typed = discord.interactAutocomplete({ user, name: 'kivy', subcommand: 'template', focused: 'name', options: { name: 'scr' } });
      await discord.waitFor(isCallback(typed));
      expect(discord.interactionResponses(typed.token).autocompleteChoices?.[0]?.value).to.equal('screen-manager');
      const empty = discord.interactAutocomplete({ user, name: 'kivy', subcommand: 'template', focused: 'name' });
      await discord.waitFor(isCallback(empty));
      expect(discord.interactionResponses(empty.token).autocompleteChoices).to.have.length.of.at.least(8);
    });

    it('answers a template with its code, its render and a button that opens it in the editor', async () => {
      const user = member();
      const handle = discord.interactChatInput({ user, name: 'kivy', subcommand: 'template', options: { name: 'canvas' } });
      const reply = await finalReply(handle);
      expectPng(reply, [800, 600]);
      expect(reply.embeds[0].title).to.equal('Canvas drawing');
      expect(reply.embeds[0].description).to.match(/^```py\nfrom kivy\.app import App/);
      const [open] = buttonsOf(reply);
      expect(open.label).to.equal('Open in editor');
      const modal = await shownModal(discord.interactButton({ user, customId: open.custom_id, message: reply }));
      const library = bot.services.resolve<ITemplateLibrary>(Tokens.TemplateLibrary);
      expect(modal.input.value).to.equal(library.get('canvas')!.code);
    });

    it('lists the templates when no name is given', async () => {
      const user = member();
      const data = await ephemeralAnswer(discord.interactChatInput({ user, name: 'kivy', subcommand: 'template' }));
      expect(data.embeds[0].description).to.include('**recycle-view**');
    });

    it('every template renders, and fits the editor', async () => {
      const library = bot.services.resolve<ITemplateLibrary>(Tokens.TemplateLibrary);
      const renderer = bot.services.resolve<IRenderer>(Tokens.Renderer);
      const templates = library.list();
      expect(templates).to.have.length.of.at.least(8);
      const results = await Promise.all(templates.map((template) => renderer.render({ code: template.code, filename: template.filename })));
      results.forEach((result, index) => {
        const { name, code } = templates[index];
        expect(result.error, name).to.equal(null);
        const png = decodePng(result.png!);
        const colours = new Set<number>();
        for (let offset = 0; offset < png.data.length; offset += 4 * 97) colours.add(png.data.readUInt32BE(offset));
        expect(colours.size, `${name} shows more than one colour`).to.be.greaterThan(1);
        expect(code.length, name).to.be.at.most(4000);
      });
    });
  });

  describe('/kivy status', () => {
    it('/kivy status shows pool, queue, cache, render times, versions and uptime', async () => {
      const user = member();
      const handle = discord.interactChatInput({ user, name: 'kivy', subcommand: 'status' });
      const reply = await finalReply(handle);
      const fields = fieldsOf(reply);
      expect(fields.Pool).to.match(/^idle \d+ · busy \d+ · warming \d+ · target 2$/);
      expect(fields.Queue).to.match(/^\d+ waiting \(limit 40\)$/);
      expect(fields.Cache).to.match(/^\d+ entries · hit rate \d+% \(\d+\/\d+\)$/);
      expect(fields['Screenshots since start']).to.match(/^\d+ \(\d+ failed, \d+ from cache\) · p50 \d+ ms · p95 \d+ (ms|s)$/);
      expect(fields['Animations and tours since start']).to.equal('none yet');
      expect(fields['Docker engine']).to.match(/^\d+\.\d+/);
      expect(fields.Image).to.match(/^`kivy-render:[0-9a-f]{12}`$/);
      expect(fields.Kivy).to.match(/^\d+\.\d+\.\d+/);
      expect(fields.Uptime).to.match(/\d+ (ms|s|min)/);
    });
  });

  describe('/pool', () => {
    const pool = () => bot.services.resolve<IContainerPool>(Tokens.ContainerPool);

    it('refuses warm and drain to a member without Administrator', async () => {
      const user = member();
      for (const subcommand of ['warm', 'drain']) {
        const data = await ephemeralAnswer(discord.interactChatInput({ user, name: 'pool', subcommand }));
        expect(data.content).to.match(/^Only the bot's owners and members with the Administrator permission/);
      }
      expect(pool().status().refilling).to.equal(true);
    });

    it('drain works for an administrator, and renders are then refused with a clear answer', async () => {
      const user = member();
      const admin = discord.createAdmin({ username: 'pool-admin' });
      const reply = await finalReply(discord.interactChatInput({ user: admin, name: 'pool', subcommand: 'drain' }));
      expect(reply.embeds[0].title).to.match(/^Pool drained: \d+ container\(s\) removed$/);
      expect(pool().status()).to.include({ idle: 0, refilling: false });
      const refused = await finalReply(render(user, hello(`drained ${Date.now()}`)));
      expect(refused.embeds[0].title).to.equal('The renderer is not available');
      expect(refused.embeds[0].description).to.match(/\/pool warm/);
    });

    it('warm works for a configured owner without Administrator', async () => {
      const reply = await finalReply(discord.interactChatInput({ user: poolOwner, name: 'pool', subcommand: 'warm', options: { count: 2 } }));
      expect(reply.embeds[0].title).to.equal('Pool warming to 2 container(s)');
      expect(pool().status()).to.include({ idle: 2, target: 2, refilling: true });
    });
  });

  describe('rate limits', () => {
    it('rate-limits a user to 5 renders a minute, saying when to try again', async () => {
      const hasty = discord.createMember({ username: 'hasty' });
      for (let n = 0; n < 5; n++) await finalReply(render(hasty, hello('rate limit')));
      const data = await ephemeralAnswer(render(hasty, hello('rate limit')));
      expect(data.content).to.match(/^You have used all 5 renders allowed per 60 s: try again in \d+ s\.$/);
    });
  });

  describe('the message listener', () => {
    const offerFor = (message: { id: string }) =>
      discord.waitFor((request) => request.method === 'POST' && (request.json as Json).message_reference?.message_id === message.id).then(
        (request) => discord.message((request.response as Json).id)!,
      );

    it('offers a Render button under Kivy code only; only the author may press it; the render replaces the offer', async () => {
      const author = discord.createMember({ username: 'poster' });
      const notKivy = discord.postUserMessage({ user: author, content: '```js\nconsole.log("not kivy")\n```' });
      const kivy = discord.postUserMessage({ user: author, content: `Why is my label small?\n\`\`\`py\n${hello('listener')}\`\`\`` });
      const offer = await offerFor(kivy);
      expect(discord.requests.some((request) => (request.json as Json | undefined)?.message_reference?.message_id === notKivy.id)).to.equal(false);
      const [button] = (offer.components![0] as Json).components as Json[];
      expect(button.label).to.equal('Render');

      const stranger = discord.createMember({ username: 'button-thief' });
      const refused = await ephemeralAnswer(discord.interactButton({ user: stranger, customId: button.custom_id, message: offer }));
      expect(refused.content).to.match(/^Only the author of the code/);

      const press = discord.interactButton({ user: author, customId: button.custom_id, message: offer });
      const rendered = await finalReply(press);
      expect(discord.interactionResponses(press.token).callbacks[0].type).to.equal(InteractionResponseType.UpdateMessage);
      expect(rendered.id).to.equal(offer.id);
      expect(rendered.content).to.equal('');
      expectPng(rendered, [800, 600]);
    });

    it('lets the Render button expire', async () => {
      const author = discord.createMember({ username: 'slow-poster' });
      const offer = await offerFor(discord.postUserMessage({ user: author, content: `\`\`\`python\n${hello('late')}\`\`\`` }));
      await new Promise((resolve) => setTimeout(resolve, (BUTTON_TTL_S + 1) * 1000));
      const [button] = (offer.components![0] as Json).components as Json[];
      const press = discord.interactButton({ user: author, customId: button.custom_id, message: offer });
      await discord.waitFor(isCallback(press));
      expect(discord.message(offer.id)!.content).to.match(/^This Render button has expired/);
      expect(discord.message(offer.id)!.components).to.deep.equal([]);
    });
  });

  describe('the "Render Kivy" message command', () => {
    it('renders the code block of any message', async () => {
      const user = member();
      const target = discord.postUserMessage({ user, content: "try this:\n```\nBoxLayout:\n    Label:\n        text: 'context menu'\n```" });
      const reply = await finalReply(discord.interactMessageContextMenu({ user, name: 'Render Kivy', targetMessage: target }));
      expectPng(reply, [800, 600]);
      expect(reply.attachments.map((attachment) => attachment.filename)).to.include('snippet.kv');
    });

    it('explains when the message holds no code block', async () => {
      const user = member();
      const target = discord.postUserMessage({ user, content: 'just words' });
      const data = await ephemeralAnswer(discord.interactMessageContextMenu({ user, name: 'Render Kivy', targetMessage: target }));
      expect(data.content).to.match(/holds no code block/);
    });
  });

  describe('when the Docker engine goes down', () => {
    it('answers with a clear error when the Docker engine goes down, and recovers when it is back', async function () {
      this.timeout(90_000);
      await proxy.down();
      try {
        const reply = await finalReply(render(discord.createMember({ username: 'unlucky' }), hello(`engine down ${Date.now()}`)), 45_000);
        expect(reply.embeds[0].title).to.equal('The renderer had a problem');
        expect(reply.embeds[0].description).to.match(/cannot start containers|not reachable/);
      } finally {
        await proxy.up();
      }
      const pool = bot.services.resolve<IContainerPool>(Tokens.ContainerPool);
      await waitUntil(() => pool.status().idle > 0, 45_000, 'the pool to refill');
      const reply = await finalReply(render(discord.createMember({ username: 'lucky' }), hello(`engine back ${Date.now()}`)));
      expectPng(reply, [800, 600]);
    });
  });
});
