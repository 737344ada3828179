import { injectable } from 'tsyringe';
import { percentile } from '../utils/helpers.js';

export interface RenderStatsSnapshot {
  renders: number;
  failures: number;
  cacheHits: number;
  /** Over renders that used a container, since start-up. */
  p50Ms: number;
  p95Ms: number;
  startedAt: number;
}

export interface IRenderStats {
  record(outcome: { ok: boolean; cached: boolean; totalMs: number }): void;
  snapshot(): RenderStatsSnapshot;
}

const WINDOW = 2000;

/** Counters and recent durations for /kivy status. */
@injectable()
export class RenderStats implements IRenderStats {
  private readonly durations: number[] = [];
  private renders = 0;
  private failures = 0;
  private cacheHits = 0;
  private readonly startedAt = Date.now();

  record(outcome: { ok: boolean; cached: boolean; totalMs: number }): void {
    this.renders++;
    if (!outcome.ok) this.failures++;
    if (outcome.cached) {
      this.cacheHits++;
      return;
    }
    this.durations.push(outcome.totalMs);
    if (this.durations.length > WINDOW) this.durations.shift();
  }

  snapshot(): RenderStatsSnapshot {
    return {
      renders: this.renders,
      failures: this.failures,
      cacheHits: this.cacheHits,
      p50Ms: percentile(this.durations, 50),
      p95Ms: percentile(this.durations, 95),
      startedAt: this.startedAt,
    };
  }
}
