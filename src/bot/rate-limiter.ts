import { RateLimitManager, type RateLimit } from '@sapphire/ratelimits';
import { inject, injectable } from 'tsyringe';
import type { BotConfig } from '../config.js';
import { Tokens } from '../tokens.js';

export type RateLimitDecision =
  | { allowed: true }
  | { allowed: false; scope: 'user' | 'guild'; retryAfterMs: number; limit: number; windowSeconds: number; cost: number };

export interface IRateLimiter {
  /** Takes `cost` renders (a recording counts more) from the user's and the server's budget, or says how long to wait. */
  take(userId: string, guildId: string | null, cost?: number): RateLimitDecision;
  /** The same verdict, taking nothing. */
  check(userId: string, guildId: string | null, cost?: number): RateLimitDecision;
  /** Forgets every bucket (and so stops the managers' sweep timers). */
  clear(): void;
}

/** Fewer than `cost` renders left in the window (a cost above the limit needs a full bucket). */
function short(bucket: RateLimit<string>, limit: number, cost: number): boolean {
  return !bucket.expired && bucket.remaining < Math.min(cost, limit);
}

/** A per-user bucket (e.g. 5 renders a minute) plus a per-server cap. */
@injectable()
export class RateLimiter implements IRateLimiter {
  private readonly users: RateLimitManager;
  private readonly guilds: RateLimitManager;

  constructor(@inject(Tokens.BotConfig) private readonly config: BotConfig) {
    const windowMs = config.rateWindowSeconds * 1000;
    this.users = new RateLimitManager(windowMs, config.userRenderLimit);
    this.guilds = new RateLimitManager(windowMs, config.guildRenderLimit);
  }

  take(userId: string, guildId: string | null, cost = 1): RateLimitDecision {
    const decision = this.check(userId, guildId, cost);
    if (decision.allowed) {
      const buckets = [this.users.acquire(userId), ...(guildId ? [this.guilds.acquire(guildId)] : [])];
      for (const bucket of buckets) for (let n = 0; n < cost && !bucket.limited; n++) bucket.consume();
    }
    return decision;
  }

  check(userId: string, guildId: string | null, cost = 1): RateLimitDecision {
    const windowSeconds = this.config.rateWindowSeconds;
    const refusal = (scope: 'user' | 'guild', bucket: RateLimit<string>, limit: number) =>
      ({ allowed: false, scope, retryAfterMs: bucket.remainingTime, limit, windowSeconds, cost: Math.min(cost, limit) }) as const;
    const user = this.users.acquire(userId);
    if (short(user, this.users.limit, cost)) return refusal('user', user, this.users.limit);
    const guild = guildId ? this.guilds.acquire(guildId) : null;
    if (guild && short(guild, this.guilds.limit, cost)) return refusal('guild', guild, this.guilds.limit);
    return { allowed: true };
  }

  clear(): void {
    for (const manager of [this.users, this.guilds]) {
      manager.clear();
      manager.sweep();
    }
  }
}
