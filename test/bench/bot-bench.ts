import { realpathSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startBot, type KivyRenderClient } from '../../src/bot.js';
import type { EngineConfig } from '../../src/config.js';
import { distribution, helloSnippet, type Distribution } from '../../src/core/benchmark.js';
import type { IContainerPool } from '../../src/core/container-pool.js';
import type { IRenderer } from '../../src/core/renderer.js';
import { Tokens } from '../../src/tokens.js';
import { round1 } from '../../src/utils/helpers.js';
import { FakeDiscord, type RecordedRequest } from '../support/discord/index.js';

export interface BotBenchReport {
  /** Renderer.render() with a warm pool, no cache: the engine alone. */
  engine_warm: Distribution;
  /** INTERACTION_CREATE sent to the bot -> the final reply (with the PNG) arriving at Discord. */
  bot_warm: Distribution;
  overhead_p50_ms: number;
  goal: { overhead_p50_ms: number; met: boolean };
  summary: string;
}

export interface BotBenchOptions {
  samples: number;
  progress?(line: string): void;
  /** Settings for the bot (engine settings such as KIVY_POOL_SIZE included); Discord's are filled in. */
  env?: NodeJS.ProcessEnv;
}

const GOAL_MS = 50;
const WARM_UP = 2;

/**
 * `/kivy render code:` end to end, from the moment the stand-in sends the interaction to the moment the
 * final reply with the image reaches it, against the engine's own warm render measured in the same run
 * (interleaved, each after the pool is refilled, every snippet distinct so nothing comes from the cache).
 * The bot is the real one (startBot); Discord is the local stand-in, in this process.
 */
export async function runBotBenchmark({ samples, progress = () => undefined, env = process.env }: BotBenchOptions): Promise<BotBenchReport> {
  const discord = await FakeDiscord.start();
  let bot: KivyRenderClient | undefined;
  try {
    progress('starting the bot against the local Discord');
    bot = await startBot({
      env: {
        LOG_LEVEL: 'warn',
        ...env,
        DISCORD_TOKEN: discord.token,
        DISCORD_API_URL: discord.restApiUrl,
        KIVY_INSTANCE_ID: `bot-bench-${process.pid}`,
        KIVY_CACHE_URL: 'memory://',
        KIVY_MESSAGE_LISTENER: 'false',
        KIVY_USER_RATE_LIMIT: '1000',
        KIVY_GUILD_RATE_LIMIT: '10000',
      },
    });
    const pool = bot.services.resolve<IContainerPool>(Tokens.ContainerPool);
    const renderer = bot.services.resolve<IRenderer>(Tokens.Renderer);
    const { poolSize } = bot.services.resolve<EngineConfig>(Tokens.Config);
    const user = discord.createMember({ username: 'bench' });
    const engine: number[] = [];
    const endToEnd: number[] = [];
    progress(`${samples} samples of each (after ${WARM_UP} warm-up rounds), pool of ${poolSize}`);
    for (let i = -WARM_UP; i < samples; i++) {
      await pool.warm(poolSize);
      const started = performance.now();
      const result = await renderer.render({ code: helloSnippet(`engine ${i} ${Date.now()}`), bypassCache: true });
      const engineMs = performance.now() - started;
      if (!result.ok) throw new Error(`engine render failed: ${result.error?.message}`);

      await pool.warm(poolSize);
      const sent = Date.now();
      const handle = discord.interactChatInput({ user, name: 'kivy', subcommand: 'render', options: { code: helloSnippet(`bot ${i} ${Date.now()}`) } });
      const isFinalReply = (request: RecordedRequest) =>
        request.interactionToken === handle.token && request.method === 'PATCH' && request.files.some((file) => file.name === 'render.png');
      const final = await discord.waitFor(isFinalReply, 30_000);
      if (i < 0) continue;
      engine.push(engineMs);
      endToEnd.push(final.arrivedAt - sent);
    }
    if (discord.violations.length) throw new Error(`the bot broke Discord's contract: ${discord.violations.join('; ')}`);
    const engineWarm = distribution(engine);
    const botWarm = distribution(endToEnd);
    const overhead = round1(botWarm.p50_ms - engineWarm.p50_ms);
    const line = (name: string, d: Distribution) => `${name.padEnd(7)} p50 ${String(d.p50_ms).padStart(7)} ms   p95 ${String(d.p95_ms).padStart(7)} ms   n=${d.n}`;
    return {
      engine_warm: engineWarm,
      bot_warm: botWarm,
      overhead_p50_ms: overhead,
      goal: { overhead_p50_ms: GOAL_MS, met: overhead <= GOAL_MS },
      summary: [
        line('engine', engineWarm),
        line('bot', botWarm),
        `interaction -> reply with the image costs ${overhead} ms over the engine's warm render at the median (goal: within ${GOAL_MS} ms)`,
      ].join('\n'),
    };
  } finally {
    await bot?.shutdown();
    await discord.stop();
  }
}

/** `node dist/test/bench/bot-bench.js [-n N] [--json]` */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { n: { type: 'string', short: 'n', default: '20' }, json: { type: 'boolean', default: false } } });
  const report = await runBotBenchmark({ samples: Number(values.n), progress: (text) => process.stderr.write(`${text}\n`) });
  process.stdout.write(values.json ? `${JSON.stringify(report)}\n` : `${report.summary}\n`);
}

if (process.argv[1] && realpathSync(process.argv[1]) === realpathSync(new URL(import.meta.url).pathname)) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`bot bench failed: ${String(error)}\n`);
      process.exit(1);
    },
  );
}
