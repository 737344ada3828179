import { RateLimitManager } from '@sapphire/ratelimits';
import { inject, injectable } from 'tsyringe';
import type { BotConfig } from '../config.js';
import { Tokens } from '../tokens.js';

export type RateLimitDecision =
  | { allowed: true }
  | { allowed: false; scope: 'user' | 'guild'; retryAfterMs: number; limit: number; windowSeconds: number };

export interface IRateLimiter {
  /** Takes one render from the user's and the server's budget, or says how long to wait. */
  take(userId: string, guildId: string | null): RateLimitDecision;
  /** The same verdict, taking nothing. */
  check(userId: string, guildId: string | null): RateLimitDecision;
  /** Forgets every bucket (and so stops the managers' sweep timers). */
  clear(): void;
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

  take(userId: string, guildId: string | null): RateLimitDecision {
    const decision = this.check(userId, guildId);
    if (decision.allowed) {
      this.users.acquire(userId).consume();
      if (guildId) this.guilds.acquire(guildId).consume();
    }
    return decision;
  }

  check(userId: string, guildId: string | null): RateLimitDecision {
    const windowSeconds = this.config.rateWindowSeconds;
    const user = this.users.acquire(userId);
    if (user.limited) return { allowed: false, scope: 'user', retryAfterMs: user.remainingTime, limit: this.users.limit, windowSeconds };
    const guild = guildId ? this.guilds.acquire(guildId) : null;
    if (guild?.limited) return { allowed: false, scope: 'guild', retryAfterMs: guild.remainingTime, limit: this.guilds.limit, windowSeconds };
    return { allowed: true };
  }

  clear(): void {
    for (const manager of [this.users, this.guilds]) {
      manager.clear();
      manager.sweep();
    }
  }
}
