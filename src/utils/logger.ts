import winston from 'winston';

export type Logger = winston.Logger;

/** The one winston logger of the process; pieces and services take children of it. */
export function createLogger(level = 'info'): Logger {
  return winston.createLogger({
    level,
    format: winston.format.combine(
      winston.format.timestamp(),
      winston.format.errors({ stack: true }),
      winston.format.printf(({ timestamp, level: lvl, message, stack, ...meta }) => {
        const context = Object.keys(meta).length ? ` ${JSON.stringify(meta)}` : '';
        return `${timestamp} ${lvl.padEnd(5)} ${stack ?? message}${context}`;
      }),
    ),
    // stderr keeps stdout free for the CLI's --json output.
    transports: [new winston.transports.Console({ stderrLevels: Object.keys(winston.config.npm.levels) })],
  });
}
