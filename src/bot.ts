import 'reflect-metadata';
import '@sapphire/plugin-subcommands/register';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApplicationCommandRegistries, container, Events, RegisterBehavior, SapphireClient, type StoreRegistryKey } from '@sapphire/framework';
import { GatewayIntentBits } from 'discord.js';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import type { IRateLimiter } from './bot/rate-limiter.js';
import type { IRenderResponder } from './bot/render-responder.js';
import { SapphireLogger } from './bot/sapphire-logger.js';
import { registerServices } from './composition-root.js';
import { loadConfigurations, type BotConfig } from './config.js';
import type { IContainerPool } from './core/container-pool.js';
import { startEngine, stopEngine } from './core/engine.js';
import { Tokens } from './tokens.js';
import { errorChain } from './utils/errors.js';
import { withTimeout } from './utils/helpers.js';
import { createLogger, type Logger } from './utils/logger.js';

declare module '@sapphire/pieces' {
  interface Container {
    /** The bot's child DI container (see registerServices): how pieces reach services. */
    services: DependencyContainer;
  }
}

/** Sapphire loads commands/, listeners/, preconditions/ and interaction-handlers/ next to this file. */
const PIECES_DIR = dirname(fileURLToPath(import.meta.url));
const REGISTRATION_TIMEOUT_MS = 60_000;
/** How long shutdown waits for the replies of renders that were in flight. */
const REPLY_GRACE_MS = 5_000;

/** Message Content (privileged) only when the message listener is on. */
export function botIntents(config: BotConfig): GatewayIntentBits[] {
  const intents = [GatewayIntentBits.Guilds];
  if (config.messageListener) intents.push(GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent);
  return intents;
}

/**
 * Sapphire queues its built-in pieces (core and plugin listeners) once per process, into the first stores
 * registered. A later client in the same process (tests, the bench) gets fresh stores, so hand them over.
 */
function requeueBuiltInPieces(): void {
  for (const store of [...container.stores.values()]) {
    const manual = Object.getOwnPropertySymbols(store).find((symbol) => symbol.description === '@sapphire/pieces:ManuallyRegisteredPieces');
    const entries = manual ? [...(store as unknown as Record<symbol, Map<string, { name: string; piece: never }>>)[manual].values()] : [];
    container.stores.deregister(store as never);
    for (const { name, piece } of entries) void container.stores.loadPiece({ store: store.name as StoreRegistryKey, name, piece });
  }
}

/** The bot: owns start-up (engine, warm pool, login, command registration) and a graceful shutdown. */
export class KivyRenderClient extends SapphireClient {
  private readonly log: Logger;
  private stopping: Promise<void> | null = null;

  constructor(readonly services: DependencyContainer) {
    const config = services.resolve<BotConfig>(Tokens.BotConfig);
    const logger = services.resolve<Logger>(Tokens.Logger);
    requeueBuiltInPieces();
    super({
      intents: botIntents(config),
      ...(config.apiUrl ? { rest: { api: config.apiUrl } } : {}),
      allowedMentions: { parse: [], repliedUser: false },
      logger: { instance: new SapphireLogger(logger) },
      baseUserDirectory: PIECES_DIR,
      loadMessageCommandListeners: false,
    });
    this.log = logger.child({ component: 'bot' });
    container.services = services;
    ApplicationCommandRegistries.setDefaultBehaviorWhenNotIdentical(RegisterBehavior.BulkOverwrite);
  }

  /** Engine reachable, images built, orphans removed, pool warm; then logged in with every command registered. */
  async start(): Promise<void> {
    try {
      await startEngine(this.services, (line) => this.log.info(line));
      await this.services.resolve<IContainerPool>(Tokens.ContainerPool).warm();
      const registered = this.commandRegistration();
      await this.login(this.services.resolve<BotConfig>(Tokens.BotConfig).token);
      await withTimeout(registered, REGISTRATION_TIMEOUT_MS, () => new Error(`commands were not registered within ${REGISTRATION_TIMEOUT_MS} ms`));
      this.log.info(`ready as ${this.user?.tag}; commands registered`);
    } catch (error) {
      await this.shutdown();
      throw error;
    }
  }

  /**
   * Stops new renders and lets those in flight answer (pool shutdown), leaves Discord, removes every
   * container and closes the cache. Idempotent.
   */
  shutdown(): Promise<void> {
    this.stopping ??= (async () => {
      this.log.info('shutting down: draining the pool, leaving Discord, closing the cache');
      await this.services.resolve<IContainerPool>(Tokens.ContainerPool).shutdown().catch((error: unknown) => this.log.error(`pool shutdown failed: ${errorChain(error)}`));
      await withTimeout(this.services.resolve<IRenderResponder>(Tokens.RenderResponder).idle(), REPLY_GRACE_MS, () => new Error('replies still pending')).catch(
        (error: unknown) => this.log.warn(`shutdown: ${errorChain(error)}`),
      );
      await this.destroy().catch((error: unknown) => this.log.warn(`client destroy failed: ${errorChain(error)}`));
      // Unloading drops the application command registries, so a later client in this process starts clean.
      await Promise.all([...this.stores.values()].map((store) => store.unloadAll())).catch((error: unknown) => this.log.warn(`unloading pieces failed: ${errorChain(error)}`));
      this.services.resolve<IRateLimiter>(Tokens.RateLimiter).clear();
      await stopEngine(this.services, this.log);
      this.log.info('shut down');
    })();
    return this.stopping;
  }

  /** Settles once Sapphire has bulk-overwritten the commands; rejects when Discord refused them. */
  private commandRegistration(): Promise<void> {
    const registered = new Promise<void>((resolve, reject) => {
      this.once(Events.ApplicationCommandRegistriesRegistered, () => resolve());
      this.once(Events.ApplicationCommandRegistriesBulkOverwriteError, (error: unknown) => reject(new Error('Discord refused the commands', { cause: error })));
      this.once(Events.CommandApplicationCommandRegistryError, (error: unknown) => reject(new Error('a command could not describe itself', { cause: error })));
    });
    registered.catch(() => undefined); // observed later; avoid an unhandled rejection until then
    return registered;
  }
}

export interface StartBotOptions {
  /** Where configuration is read from (default process.env). */
  env?: NodeJS.ProcessEnv;
}

/** Reads and checks the configuration (a ConfigError lists every problem) and builds the client; nothing starts yet. */
export function createBot({ env = process.env }: StartBotOptions = {}): KivyRenderClient {
  const { engine, bot } = loadConfigurations(env);
  const logger = createLogger(engine.logLevel);
  return new KivyRenderClient(registerServices(rootContainer, engine, logger, bot));
}

/** The bot's real start: configuration, engine, Discord. On failure nothing is left running. */
export async function startBot(options: StartBotOptions = {}): Promise<KivyRenderClient> {
  const client = createBot(options);
  await client.start();
  return client;
}
