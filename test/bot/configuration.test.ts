import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { GatewayIntentBits } from 'discord.js';
import { botIntents, startBot } from '../../src/bot.js';
import { BOT_SETTINGS, ENGINE_SETTINGS, loadBotConfig, loadConfigurations } from '../../src/config.js';
import { ConfigError } from '../../src/utils/errors.js';
import { PROJECT_ROOT } from '../../src/utils/paths.js';
import { FakeDiscord } from '../support/discord/index.js';
import { thrown } from '../support/assertions.js';
import { labelledContainers } from '../support/engine.js';

const TOKEN = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.Gabcde.abcdefghijklmnopqrstuvwxyz0123456789';

const configError = (load: () => unknown) => thrown(ConfigError, load);

describe('bot configuration', () => {
  it('reads the bot settings, with defaults', () => {
    const config = loadBotConfig({ DISCORD_TOKEN: TOKEN, OWNER_IDS: '123456789012345678, 223456789012345678', DISCORD_API_URL: 'http://127.0.0.1:9/api/' });
    expect(config).to.deep.include({
      token: TOKEN,
      ownerIds: ['123456789012345678', '223456789012345678'],
      apiUrl: 'http://127.0.0.1:9/api',
      messageListener: false,
      userRenderLimit: 5,
      rateWindowSeconds: 60,
    });
    expect(loadBotConfig({ DISCORD_TOKEN: TOKEN }).apiUrl).to.equal(null);
  });

  it('says exactly what to set when the token is missing', () => {
    const error = configError(() => loadBotConfig({}));
    expect(error.problems).to.have.lengthOf(1);
    expect(error.problems[0]).to.match(/^DISCORD_TOKEN is not set: .*set DISCORD_TOKEN=<token> in the environment or in \.env/);
  });

  it('reports every problem of the bot and the engine in one error', () => {
    const error = configError(() =>
      loadConfigurations({ DISCORD_TOKEN: 'Bot abc', OWNER_IDS: 'me', KIVY_MESSAGE_LISTENER: 'maybe', KIVY_POOL_SIZE: 'lots', DISCORD_API_URL: 'discord' }),
    );
    const variables = error.problems.map((problem) => problem.split('=')[0]);
    expect(variables).to.have.members(['DISCORD_TOKEN', 'OWNER_IDS', 'KIVY_MESSAGE_LISTENER', 'KIVY_POOL_SIZE', 'DISCORD_API_URL']);
    expect(error.message).to.match(/^Invalid configuration:\n {2}- /);
  });

  it('.env.example documents every variable', () => {
    const example = readFileSync(join(PROJECT_ROOT, '.env.example'), 'utf8');
    const documented = new Set([...example.matchAll(/^#? ?([A-Z_]+)=/gm)].map(([, name]) => name));
    const variables = [...Object.values(BOT_SETTINGS), ...Object.values(ENGINE_SETTINGS)].map((setting) => setting.env);
    expect(variables.filter((name) => !documented.has(name))).to.deep.equal([]);
  });

  it('asks for the Message Content intent only when the message listener is on', () => {
    const config = loadBotConfig({ DISCORD_TOKEN: TOKEN });
    expect(botIntents(config)).to.deep.equal([GatewayIntentBits.Guilds]);
    expect(botIntents({ ...config, messageListener: true })).to.include.members([GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent]);
  });

  describe('the entry point (dist/src/index.js)', function () {
    this.timeout(30_000);
    let emptyDir: string;

    before(() => {
      emptyDir = mkdtempSync(join(tmpdir(), 'kivy-bot-no-env-'));
    });

    after(() => rmSync(emptyDir, { recursive: true, force: true }));

    const start = (env: NodeJS.ProcessEnv) =>
      spawnSync(process.execPath, [join(PROJECT_ROOT, 'dist/src/index.js')], { cwd: emptyDir, env: { PATH: process.env.PATH, ...env }, encoding: 'utf8', timeout: 20_000 });

    it('without a token: exits non-zero at once, saying what to set', () => {
      const run = start({});
      expect(run.status).to.equal(2);
      expect(run.stdout).to.equal('');
      expect(run.stderr).to.match(/DISCORD_TOKEN is not set: .*DISCORD_TOKEN=<token>/);
    });

    it('lists an invalid value together with the missing token', () => {
      const run = start({ KIVY_POOL_SIZE: '-1' });
      expect(run.status).to.equal(2);
      expect(run.stderr).to.include('DISCORD_TOKEN is not set');
      expect(run.stderr).to.include('KIVY_POOL_SIZE="-1" is invalid');
    });
  });

  it('a start that fails (Discord refuses the token) leaves nothing running', async function () {
    this.timeout(120_000);
    const discord = await FakeDiscord.start();
    const instanceId = `bot-refused-${process.pid}`;
    try {
      const started = startBot({
        env: { DISCORD_TOKEN: 'd3Jvbmc.token.refused', DISCORD_API_URL: discord.restApiUrl, KIVY_INSTANCE_ID: instanceId, KIVY_CACHE_URL: 'memory://', KIVY_POOL_SIZE: '1', LOG_LEVEL: 'error' },
      });
      const failure = await started.then(() => null, (error: unknown) => error);
      expect(failure).to.be.instanceOf(Error);
      expect(String(failure)).to.match(/token/i);
      expect(discord.registeredCommands()).to.deep.equal([]);
      expect(await labelledContainers(instanceId)).to.deep.equal([]);
    } finally {
      await discord.stop();
    }
  });
});
