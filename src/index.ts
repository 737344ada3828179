import { existsSync } from 'node:fs';
import { createBot, type KivyRenderClient } from './bot.js';
import { Tokens } from './tokens.js';
import { ConfigError, describeError, errorChain } from './utils/errors.js';
import type { Logger } from './utils/logger.js';

const EXIT = { ok: 0, failed: 1, config: 2 } as const;

/** `npm start` and PM2: reads .env (the environment wins), starts the bot, shuts down on SIGINT/SIGTERM. */
export async function main(): Promise<number> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  let client: KivyRenderClient;
  try {
    client = createBot();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`kivy-render-bot: ${error.message}\n`);
    return EXIT.config;
  }
  const logger = client.services.resolve<Logger>(Tokens.Logger);
  const stop = (signal: NodeJS.Signals) => {
    logger.info(`${signal} received`);
    client.shutdown().then(
      () => process.exit(EXIT.ok),
      (error: unknown) => {
        logger.error(`shutdown failed: ${errorChain(error)}`);
        process.exit(EXIT.failed);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  process.on('unhandledRejection', (reason) => logger.error(`unhandled rejection: ${errorChain(reason)}`));
  try {
    await client.start();
  } catch (error) {
    process.stderr.write(`kivy-render-bot: could not start: ${describeError(error).message}\n  (${errorChain(error)})\n`);
    return EXIT.failed;
  }
  process.send?.('ready'); // PM2 (wait_ready) knows the bot is up
  return EXIT.ok;
}

main().then(
  (code) => {
    if (code !== EXIT.ok) process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(`kivy-render-bot: ${errorChain(error)}\n`);
    process.exit(EXIT.failed);
  },
);
