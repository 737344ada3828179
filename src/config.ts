import { resolve } from 'node:path';
import { ConfigError } from './utils/errors.js';

/** Everything the render engine needs; read once from the environment by `loadEngineConfig`. */
export interface EngineConfig {
  instanceId: string;
  imageRepository: string;
  baseImage: string;
  poolSize: number;
  maxPoolSize: number;
  queueLimit: number;
  renderTimeoutMs: number;
  bootTimeoutMs: number;
  memoryMb: number;
  cpus: number;
  pidsLimit: number;
  tmpfsMb: number;
  outputLimitBytes: number;
  pngLimitBytes: number;
  maxCodeBytes: number;
  defaultWidth: number;
  defaultHeight: number;
  maxWidth: number;
  maxHeight: number;
  maxDelayMs: number;
  maxAnimationMs: number;
  animationTimeoutMs: number;
  animationLimitBytes: number;
  blockDangerousCode: boolean;
  cacheUrl: string;
  cacheTtlMs: number;
  installDocker: boolean;
  logLevel: string;
}

/** Returns the parsed value, or `{ expected }` describing what a valid value looks like. */
type Parser<T> = (raw: string) => { value: T } | { expected: string };

const integer = (min: number, max: number): Parser<number> => (raw) => {
  const value = Number(raw);
  return Number.isInteger(value) && value >= min && value <= max ? { value } : { expected: `an integer from ${min} to ${max}` };
};
const number = (min: number, max: number): Parser<number> => (raw) => {
  const value = Number(raw);
  return Number.isFinite(value) && value >= min && value <= max ? { value } : { expected: `a number from ${min} to ${max}` };
};
export const boolean: Parser<boolean> = (raw) =>
  /^(1|true|yes|on)$/i.test(raw) ? { value: true } : /^(0|false|no|off)$/i.test(raw) ? { value: false } : { expected: 'true or false' };
export const text: Parser<string> = (raw) => (raw.trim() ? { value: raw.trim() } : { expected: 'a non-empty value' });
const oneOf = (...values: string[]): Parser<string> => (raw) =>
  values.includes(raw) ? { value: raw } : { expected: `one of ${values.join(', ')}` };
const pattern = (regex: RegExp, expected: string): Parser<string> => (raw) => (regex.test(raw) ? { value: raw } : { expected });
const snowflakes: Parser<string[]> = (raw) => {
  const ids = raw.split(/[\s,]+/).filter(Boolean);
  return ids.every((id) => /^\d{17,20}$/.test(id)) ? { value: ids } : { expected: 'Discord user ids (17-20 digits) separated by commas' };
};
const httpUrl: Parser<string | null> = (raw) => {
  const url = URL.canParse(raw) ? new URL(raw) : null;
  return url && /^https?:$/.test(url.protocol) ? { value: raw.replace(/\/+$/, '') } : { expected: 'an http(s) URL such as https://discord.com/api' };
};

export interface Setting<T> {
  env: string;
  description: string;
  default: T;
  parse: Parser<T>;
}

/** One table drives parsing, defaults and the documentation (README, .env.example). */
export const ENGINE_SETTINGS: { [K in keyof EngineConfig]: Setting<EngineConfig[K]> } = {
  instanceId: { env: 'KIVY_INSTANCE_ID', description: 'Names this bot instance in container labels (orphan clean-up is per instance)', default: 'default', parse: pattern(/^[\w.-]{1,64}$/, 'letters, digits, . _ -') },
  imageRepository: { env: 'KIVY_IMAGE_REPOSITORY', description: 'Repository name of the built images (tag = content hash of docker/)', default: 'kivy-render', parse: text },
  baseImage: { env: 'KIVY_BASE_IMAGE', description: '"auto" (debootstrap base when offline, else debian:trixie-slim) or an image name', default: 'auto', parse: text },
  poolSize: { env: 'KIVY_POOL_SIZE', description: 'Warm containers kept ready', default: 2, parse: integer(0, 32) },
  maxPoolSize: { env: 'KIVY_POOL_MAX', description: 'Upper bound for /pool warm', default: 8, parse: integer(1, 64) },
  queueLimit: { env: 'KIVY_QUEUE_LIMIT', description: 'Requests allowed to wait for a container before "busy"', default: 40, parse: integer(0, 1000) },
  renderTimeoutMs: { env: 'KIVY_RENDER_TIMEOUT_MS', description: 'Wall-clock deadline of one render', default: 10000, parse: integer(1000, 120000) },
  bootTimeoutMs: { env: 'KIVY_BOOT_TIMEOUT_MS', description: 'Time a container gets to become ready', default: 30000, parse: integer(2000, 300000) },
  memoryMb: { env: 'KIVY_MEMORY_MB', description: 'Memory limit per container (no swap)', default: 512, parse: integer(128, 8192) },
  cpus: { env: 'KIVY_CPUS', description: 'CPU limit per container', default: 1, parse: number(0.1, 16) },
  pidsLimit: { env: 'KIVY_PIDS_LIMIT', description: 'Process/thread limit per container', default: 64, parse: integer(16, 4096) },
  tmpfsMb: { env: 'KIVY_TMPFS_MB', description: 'Size of the writable /tmp in each container', default: 64, parse: integer(8, 1024) },
  outputLimitBytes: { env: 'KIVY_OUTPUT_LIMIT', description: 'Bytes of stdout and of stderr kept per render', default: 65536, parse: integer(1024, 1048576) },
  pngLimitBytes: { env: 'KIVY_PNG_LIMIT', description: 'Largest screenshot accepted, in bytes', default: 8 * 1024 * 1024, parse: integer(65536, 64 * 1024 * 1024) },
  maxCodeBytes: { env: 'KIVY_MAX_CODE_BYTES', description: 'Largest snippet accepted', default: 100000, parse: integer(100, 1048576) },
  defaultWidth: { env: 'KIVY_DEFAULT_WIDTH', description: 'Default window width', default: 800, parse: integer(64, 1920) },
  defaultHeight: { env: 'KIVY_DEFAULT_HEIGHT', description: 'Default window height', default: 600, parse: integer(64, 1080) },
  maxWidth: { env: 'KIVY_MAX_WIDTH', description: 'Largest window width', default: 1920, parse: integer(64, 1920) },
  maxHeight: { env: 'KIVY_MAX_HEIGHT', description: 'Largest window height', default: 1080, parse: integer(64, 1080) },
  maxDelayMs: { env: 'KIVY_MAX_DELAY_MS', description: 'Longest capture delay a request may ask for', default: 5000, parse: integer(0, 60000) },
  maxAnimationMs: { env: 'KIVY_MAX_ANIMATION_MS', description: 'Longest recording (animation or tour), in milliseconds', default: 10000, parse: integer(1000, 60000) },
  animationTimeoutMs: { env: 'KIVY_ANIMATION_TIMEOUT_MS', description: 'Upper bound of the wall-clock deadline of an animation or tour render (recording plus encoding)', default: 45000, parse: integer(5000, 300000) },
  animationLimitBytes: { env: 'KIVY_ANIMATION_LIMIT', description: 'Largest GIF or MP4 produced, in bytes (a request may ask for less: the bot passes the upload limit)', default: 10 * 1024 * 1024, parse: integer(65536, 100 * 1024 * 1024) },
  blockDangerousCode: { env: 'KIVY_BLOCK_DANGEROUS', description: 'Refuse snippets using subprocess, sockets, ctypes, fork (defence in depth; the container is the boundary)', default: true, parse: boolean },
  cacheUrl: { env: 'KIVY_CACHE_URL', description: 'keyv store: sqlite://PATH (default) or memory://', default: `sqlite://${resolve('data/cache.sqlite')}`, parse: text },
  cacheTtlMs: { env: 'KIVY_CACHE_TTL_MS', description: 'How long a render stays cached', default: 24 * 3600 * 1000, parse: integer(0, 365 * 24 * 3600 * 1000) },
  installDocker: { env: 'KIVY_INSTALL_DOCKER', description: 'Install and start Docker (Debian, root) when no engine is reachable', default: process.getuid?.() === 0, parse: boolean },
  logLevel: { env: 'LOG_LEVEL', description: 'error, warn, info, debug', default: 'info', parse: oneOf('error', 'warn', 'info', 'verbose', 'debug', 'silly') },
};

/** Parses `settings` from `env`, collecting every problem into one ConfigError. */
export function parseSettings<T extends object>(
  settings: { [K in keyof T]: Setting<T[K]> },
  env: NodeJS.ProcessEnv,
  problems: string[] = [],
): T {
  const config = {} as T;
  for (const key of Object.keys(settings) as (keyof T)[]) {
    const setting = settings[key];
    const raw = env[setting.env];
    if (raw === undefined || raw === '') {
      config[key] = setting.default;
      continue;
    }
    const parsed = setting.parse(raw);
    if ('value' in parsed) config[key] = parsed.value;
    else problems.push(`${setting.env}=${JSON.stringify(raw)} is invalid: expected ${parsed.expected}`);
  }
  return config;
}

export function loadEngineConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<EngineConfig> = {}): EngineConfig {
  const problems: string[] = [];
  const config = { ...parseSettings<EngineConfig>(ENGINE_SETTINGS, env, problems), ...overrides };
  if (config.poolSize > config.maxPoolSize) problems.push(`KIVY_POOL_SIZE (${config.poolSize}) exceeds KIVY_POOL_MAX (${config.maxPoolSize})`);
  if (config.defaultWidth > config.maxWidth || config.defaultHeight > config.maxHeight) problems.push('the default window size exceeds the maximum');
  if (problems.length) throw new ConfigError(problems);
  return config;
}

/** What the Discord layer needs, besides the engine's settings. */
export interface BotConfig {
  token: string;
  ownerIds: string[];
  /** REST base URL; null means discord.js's default (Discord itself). */
  apiUrl: string | null;
  messageListener: boolean;
  userRenderLimit: number;
  guildRenderLimit: number;
  rateWindowSeconds: number;
  renderButtonTtlSeconds: number;
}

const MISSING_TOKEN =
  'DISCORD_TOKEN is not set: create an application at https://discord.com/developers/applications, copy its bot token (Bot > Reset Token) and set DISCORD_TOKEN=<token> in the environment or in .env (see .env.example)';

export const BOT_SETTINGS: { [K in keyof BotConfig]: Setting<BotConfig[K]> } = {
  token: { env: 'DISCORD_TOKEN', description: 'The bot token (required)', default: '', parse: pattern(/^[\w-]+\.[\w-]+\.[\w-]+$/, 'a bot token: three dot-separated parts, without a "Bot " prefix or quotes') },
  ownerIds: { env: 'OWNER_IDS', description: 'User ids (comma-separated) allowed to run /pool besides members with Administrator', default: [], parse: snowflakes },
  apiUrl: { env: 'DISCORD_API_URL', description: "REST base URL; default Discord's (https://discord.com/api). Tests point it at a local stand-in", default: null, parse: httpUrl },
  messageListener: { env: 'KIVY_MESSAGE_LISTENER', description: 'Offer a Render button under messages with Kivy code blocks (requests the privileged Message Content intent)', default: false, parse: boolean },
  userRenderLimit: { env: 'KIVY_USER_RATE_LIMIT', description: 'Renders one user may start per rate window', default: 5, parse: integer(1, 1000) },
  guildRenderLimit: { env: 'KIVY_GUILD_RATE_LIMIT', description: 'Renders one server may start per rate window', default: 30, parse: integer(1, 10000) },
  rateWindowSeconds: { env: 'KIVY_RATE_WINDOW_S', description: 'Length of the rate-limit window in seconds', default: 60, parse: integer(1, 86400) },
  renderButtonTtlSeconds: { env: 'KIVY_RENDER_BUTTON_TTL_S', description: "How long the message listener's Render button works, in seconds", default: 600, parse: integer(1, 86400) },
};

export function loadBotConfig(env: NodeJS.ProcessEnv = process.env): BotConfig {
  const problems: string[] = [];
  const config = parseSettings<BotConfig>(BOT_SETTINGS, env, problems);
  if (!env.DISCORD_TOKEN) problems.unshift(MISSING_TOKEN);
  if (problems.length) throw new ConfigError(problems);
  return config;
}

/** Both configurations; every problem of either is reported in one ConfigError. */
export function loadConfigurations(env: NodeJS.ProcessEnv = process.env): { engine: EngineConfig; bot: BotConfig } {
  const problems: string[] = [];
  const attempt = <T>(load: () => T): T | undefined => {
    try {
      return load();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
      return undefined;
    }
  };
  const bot = attempt(() => loadBotConfig(env));
  const engine = attempt(() => loadEngineConfig(env));
  if (!bot || !engine) throw new ConfigError(problems);
  return { engine, bot };
}
