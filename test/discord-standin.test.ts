import { once } from 'node:events';
import { expect } from 'chai';
import pngjs from 'pngjs';
import {
  ActionRowBuilder,
  ApplicationCommandType,
  ButtonBuilder,
  ButtonStyle,
  Client,
  ContextMenuCommandBuilder,
  DiscordAPIError,
  EmbedBuilder,
  Events,
  GatewayIntentBits,
  InteractionResponseType,
  LabelBuilder,
  MessageFlags,
  ModalBuilder,
  Routes,
  SlashCommandBuilder,
  TextInputBuilder,
  TextInputStyle,
  type Interaction,
} from 'discord.js';
import { FakeDiscord, type FakeMember } from './support/discord/index.js';

const { PNG } = pngjs;

function makePng(width: number, height: number): Buffer {
  const png = new PNG({ width, height });
  png.data.fill(0x7f);
  return PNG.sync.write(png);
}

const commandDefinitions = [
  new SlashCommandBuilder()
    .setName('render')
    .setDescription('Render a Kivy snippet')
    .addStringOption((option) => option.setName('code').setDescription('KV code').setRequired(true).setMaxLength(4000))
    .addAttachmentOption((option) => option.setName('file').setDescription('A .kv file')),
  new SlashCommandBuilder()
    .setName('widget')
    .setDescription('Show a widget')
    .addStringOption((option) => option.setName('name').setDescription('Widget class').setAutocomplete(true).setRequired(true)),
  new SlashCommandBuilder().setName('snippet').setDescription('Paste a snippet in a modal'),
  new ContextMenuCommandBuilder().setName('Render this').setType(ApplicationCommandType.Message),
].map((builder) => builder.toJSON());

describe('FakeDiscord with a real discord.js client', function () {
  this.timeout(15_000);

  let discord: FakeDiscord;
  let client: Client;
  let user: FakeMember;
  let handlerErrors: unknown[];

  /** Runs `handler` for each interaction; its failures are collected instead of becoming unhandled rejections. */
  function onInteraction(handler: (interaction: Interaction) => Promise<unknown>): void {
    client.on(Events.InteractionCreate, (interaction) => {
      handler(interaction).catch((error: unknown) => handlerErrors.push(error));
    });
  }

  function expectCleanRun(): void {
    expect(handlerErrors).to.deep.equal([]);
    expect(discord.violations).to.deep.equal([]);
    expect(discord.standInErrors).to.deep.equal([]);
    expect(discord.unknownRoutes).to.deep.equal([]);
  }

  before(async () => {
    discord = await FakeDiscord.start();
    user = discord.createMember({ username: 'kivy-fan' });
    client = new Client({ intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages], rest: { api: discord.restApiUrl } });
    const ready = once(client, Events.ClientReady);
    await client.login(discord.token);
    await ready;
    await client.application!.commands.set(commandDefinitions);
  });

  beforeEach(() => {
    handlerErrors = [];
  });

  afterEach(() => {
    client.removeAllListeners(Events.InteractionCreate);
  });

  after(async () => {
    await client?.destroy();
    await discord?.stop();
  });

  it('identifies with the client intents and delivers READY and GUILD_CREATE', () => {
    expect(discord.gatewayQueries[0]).to.equal('v=10&encoding=json');
    expect(discord.identifyPayload?.intents).to.equal(GatewayIntentBits.Guilds | GatewayIntentBits.GuildMessages);
    expect(client.user?.id).to.equal(discord.botUserId);
    expect(client.application?.id).to.equal(discord.applicationId);
    const guild = client.guilds.cache.get(discord.guildId);
    expect(guild?.channels.cache.get(discord.channelId)?.isTextBased()).to.equal(true);
    expect(guild?.roles.cache.get(discord.adminRoleId)?.permissions.has('Administrator')).to.equal(true);
    expect(guild?.members.me?.id).to.equal(discord.botUserId);
    expect(guild?.ownerId).to.equal(discord.owner.user.id);
    expectCleanRun();
  });

  it('records a spec-valid bulk command registration with ids', async () => {
    const put = await discord.waitFor((request) => request.method === 'PUT' && request.route === '/applications/{application_id}/commands');
    expect(put.status).to.equal(200);
    const registered = discord.registeredCommands();
    expect(registered.map((command) => command.name)).to.deep.equal(['render', 'widget', 'snippet', 'Render this']);
    expect(registered.every((command) => /^\d+$/.test(command.id))).to.equal(true);
    expect(client.application!.commands.cache.map((command) => command.name)).to.include('render');
    expectCleanRun();
  });

  it('shows a deferred reply edited with a PNG, an embed and a button; the bot can download the user upload', async () => {
    const png = makePng(7, 5);
    onInteraction(async (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      await interaction.deferReply();
      const upload = interaction.options.getAttachment('file', true);
      const source = await (await fetch(upload.url)).text();
      await interaction.editReply({
        content: `Rendered ${interaction.options.getString('code', true)} / ${source}`,
        files: [{ attachment: png, name: 'render.png' }],
        embeds: [new EmbedBuilder().setTitle('Render').setImage('attachment://render.png')],
        components: [
          new ActionRowBuilder<ButtonBuilder>().addComponents(
            new ButtonBuilder().setCustomId('again').setLabel('Again').setStyle(ButtonStyle.Primary),
          ),
        ],
      });
    });

    const handle = discord.interactChatInput({
      user,
      name: 'render',
      options: { code: 'Label:' },
      attachments: { file: { name: 'app.kv', data: 'Button:' } },
    });
    await discord.waitFor((request) => request.method === 'PATCH' && request.interactionToken === handle.token);

    const responses = discord.interactionResponses(handle.token);
    expect(responses.callbacks.map((callback) => callback.type)).to.deep.equal([InteractionResponseType.DeferredChannelMessageWithSource]);
    const original = responses.original!;
    expect(original.content).to.equal('Rendered Label: / Button:');
    expect(original.flags ?? 0).to.equal(0); // no longer loading
    expect(original.attachments).to.have.lengthOf(1);
    const [attachment] = original.attachments;
    expect(attachment).to.include({ filename: 'render.png', content_type: 'image/png', width: 7, height: 5 });
    const decoded = PNG.sync.read(attachment.bytes);
    expect([decoded.width, decoded.height]).to.deep.equal([7, 5]);
    expect(original.embeds[0].image?.url).to.equal(attachment.url);
    expect(original.components?.[0]).to.deep.include({ type: 1 });
    expect(discord.downloads).to.have.lengthOf(1);
    expect(discord.channelMessages().map((message) => message.id)).to.include(original.id);
    expectCleanRun();
  });

  it('round-trips a modal: showModal, then the submit mirrors its label layout', async () => {
    onInteraction(async (interaction) => {
      if (interaction.isChatInputCommand()) {
        const input = new TextInputBuilder().setCustomId('kv').setStyle(TextInputStyle.Paragraph).setMaxLength(4000);
        await interaction.showModal(
          new ModalBuilder()
            .setCustomId('snippet-modal')
            .setTitle('Snippet')
            .addLabelComponents(new LabelBuilder().setLabel('KV code').setTextInputComponent(input)),
        );
      } else if (interaction.isModalSubmit()) {
        await interaction.reply({ content: `got ${interaction.fields.getTextInputValue('kv')}`, flags: MessageFlags.Ephemeral });
      }
    });

    const command = discord.interactChatInput({ user, name: 'snippet' });
    await discord.waitFor((request) => request.interactionToken === command.token);
    expect(discord.interactionResponses(command.token).modal?.custom_id).to.equal('snippet-modal');

    const submit = discord.interactModalSubmit({ user, customId: 'snippet-modal', fields: { kv: 'BoxLayout:' } });
    await discord.waitFor((request) => request.interactionToken === submit.token);
    const reply = discord.originalMessage(submit.token)!;
    expect(reply.content).to.equal('got BoxLayout:');
    expect(reply.flags! & MessageFlags.Ephemeral).to.equal(MessageFlags.Ephemeral);
    expect(discord.channelMessages().map((message) => message.id)).not.to.include(reply.id);
    expectCleanRun();
  });

  it('updates the message of a clicked button', async () => {
    onInteraction(async (interaction) => {
      if (interaction.isMessageContextMenuCommand()) {
        const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
          new ButtonBuilder().setCustomId('confirm').setLabel('Confirm').setStyle(ButtonStyle.Success),
        );
        await interaction.reply({ content: `Render message ${interaction.targetId}?`, components: [row] });
      } else if (interaction.isButton()) {
        await interaction.update({ content: `confirmed by ${interaction.user.username}`, components: [] });
      }
    });
    const target = discord.postUserMessage({ user, content: 'Label:\n    text: "hi"' });

    const menu = discord.interactMessageContextMenu({ user, name: 'Render this', targetMessage: target });
    await discord.waitFor((request) => request.interactionToken === menu.token);
    const prompt = discord.originalMessage(menu.token)!;
    expect(prompt.content).to.equal(`Render message ${target.id}?`);

    const click = discord.interactButton({ user, customId: 'confirm', message: prompt });
    await discord.waitFor((request) => request.interactionToken === click.token);
    const updated = discord.message(prompt.id)!;
    expect(updated.content).to.equal('confirmed by kivy-fan');
    expect(updated.components).to.deep.equal([]);
    expect(discord.originalMessage(click.token)?.id).to.equal(prompt.id);
    expect(() => discord.interactButton({ user, customId: 'confirm', message: prompt })).to.throw(/no Button "confirm"/);
    expectCleanRun();
  });

  it('sends autocomplete with the focused partial value and records the choices', async () => {
    onInteraction(async (interaction) => {
      if (!interaction.isAutocomplete()) return;
      const typed = interaction.options.getFocused();
      const classes = ['Label', 'Button', 'BoxLayout'].filter((name) => name.startsWith(typed));
      await interaction.respond(classes.map((name) => ({ name, value: name })));
    });
    const handle = discord.interactAutocomplete({ user, name: 'widget', focused: 'name', options: { name: 'B' } });
    await discord.waitFor((request) => request.interactionToken === handle.token);
    expect(discord.interactionResponses(handle.token).autocompleteChoices).to.deep.equal([
      { name: 'Button', value: 'Button' },
      { name: 'BoxLayout', value: 'BoxLayout' },
    ]);
    expectCleanRun();
  });

  it('withholds message content from a client without MESSAGE_CONTENT unless the bot is mentioned', async () => {
    const received: string[] = [];
    const listener = (message: { content: string }) => received.push(message.content);
    client.on(Events.MessageCreate, listener);
    try {
      discord.postUserMessage({ user, content: 'Label:' });
      discord.postUserMessage({ user, content: `<@${discord.botUserId}> Label:` });
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      client.off(Events.MessageCreate, listener);
    }
    expect(received).to.deep.equal(['', `<@${discord.botUserId}> Label:`]);
    expect(discord.channelMessages().at(-2)?.content).to.equal('Label:');
    expectCleanRun();
  });

  it('answers requests that break the spec with 400 and records them as violations', async () => {
    const post = (body: unknown, files?: { name: string; data: Buffer }[]) =>
      client.rest.post(Routes.channelMessages(discord.channelId), { body, files }).then(
        () => expect.fail('Discord would have refused this'),
        (error: unknown) => error,
      );

    const tooLong = await post({ content: 'x'.repeat(3000) });
    expect(tooLong).to.be.instanceOf(DiscordAPIError).with.property('status', 400);
    const badEmbed = await post({ embeds: [{ title: 5 }] });
    expect(badEmbed).to.be.instanceOf(DiscordAPIError).with.property('code', 50035);
    const fakePng = await post({ content: 'see file' }, [{ name: 'render.png', data: Buffer.from('not a png') }]);
    expect(fakePng).to.be.instanceOf(DiscordAPIError).with.property('status', 400);

    expect(discord.violations).to.have.lengthOf(3);
    // The spec allows 4000 characters (Nitro users); bots get 2000.
    expect(discord.violations[0]).to.match(/POST \/api\/v10\/channels\/\d+\/messages -> 400 .*Must be 2000 or fewer in length/);
    expect(discord.violations[1]).to.match(/embeds\/0\/title must be string/);
    expect(discord.violations[2]).to.match(/render\.png" is not a valid PNG/);
    discord.violations.length = 0;
    expectCleanRun();
  });

  it('resumes after op 7 RECONNECT and replays what was dispatched meanwhile', async () => {
    onInteraction(async (interaction) => {
      if (interaction.isChatInputCommand()) await interaction.reply('still here');
    });
    discord.requestGatewayReconnect();
    await new Promise((resolve) => setTimeout(resolve, 50)); // discord.js is now between connections
    const handle = discord.interactChatInput({ user, name: 'render', options: { code: 'Label:' } });
    await discord.waitFor((request) => request.interactionToken === handle.token);
    expect(discord.originalMessage(handle.token)?.content).to.equal('still here');
    expect(discord.gatewayQueries).to.have.lengthOf(2);
    expectCleanRun();
  });

  it('lets the client disconnect cleanly', async () => {
    await client.destroy();
    expect(client.isReady()).to.equal(false);
  });
});

describe("FakeDiscord enforcing Discord's interaction rules", function () {
  this.timeout(15_000);

  it('refuses an initial response after the deadline and records it', async () => {
    const discord = await FakeDiscord.start({ initialResponseDeadlineMs: 100 });
    const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: discord.restApiUrl } });
    try {
      const ready = once(client, Events.ClientReady);
      await client.login(discord.token);
      await ready;
      await client.application!.commands.set(commandDefinitions);
      const refusal = new Promise<unknown>((resolve) => {
        client.on(Events.InteractionCreate, async (interaction) => {
          if (!interaction.isChatInputCommand()) return;
          await new Promise((wait) => setTimeout(wait, 200));
          await interaction.reply('too late').then(() => resolve(undefined), resolve);
        });
      });
      const handle = discord.interactChatInput({ user: discord.createMember(), name: 'snippet' });
      expect(await refusal).to.be.instanceOf(DiscordAPIError).with.property('code', 10062);
      expect(discord.violations).to.have.lengthOf(1);
      expect(discord.violations[0]).to.match(/Unknown interaction: the initial response came \d+ ms after the interaction \(Discord allows 100 ms\)/);
      expect(discord.originalMessage(handle.token)).to.equal(undefined);
    } finally {
      await client.destroy();
      await discord.stop();
    }
  });
});
