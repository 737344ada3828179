import { format } from 'node:util';
import { LogLevel, type ILogger } from '@sapphire/framework';
import type { Logger } from '../utils/logger.js';

/** Sapphire's levels mapped onto winston's (npm) levels. */
const WINSTON_LEVELS: Partial<Record<LogLevel, string>> = {
  [LogLevel.Trace]: 'silly',
  [LogLevel.Debug]: 'debug',
  [LogLevel.Info]: 'info',
  [LogLevel.Warn]: 'warn',
  [LogLevel.Error]: 'error',
  [LogLevel.Fatal]: 'error',
};

/** Sapphire's ILogger on top of the process's one winston logger. */
export class SapphireLogger implements ILogger {
  constructor(private readonly logger: Logger) {}

  has(level: LogLevel): boolean {
    const winstonLevel = WINSTON_LEVELS[level];
    return winstonLevel !== undefined && this.logger.isLevelEnabled(winstonLevel);
  }

  trace(...values: readonly unknown[]): void {
    this.write(LogLevel.Trace, ...values);
  }

  debug(...values: readonly unknown[]): void {
    this.write(LogLevel.Debug, ...values);
  }

  info(...values: readonly unknown[]): void {
    this.write(LogLevel.Info, ...values);
  }

  warn(...values: readonly unknown[]): void {
    this.write(LogLevel.Warn, ...values);
  }

  error(...values: readonly unknown[]): void {
    this.write(LogLevel.Error, ...values);
  }

  fatal(...values: readonly unknown[]): void {
    this.write(LogLevel.Fatal, ...values);
  }

  write(level: LogLevel, ...values: readonly unknown[]): void {
    if (!this.has(level)) return;
    // util.format prints errors with their stacks, as Sapphire's own logger does.
    this.logger.log(WINSTON_LEVELS[level]!, format(...values));
  }
}
