import { injectable } from 'tsyringe';
import type { RenderMode } from '../models/render-request.js';
import { percentile } from '../utils/helpers.js';

export interface RenderCounts {
  renders: number;
  failures: number;
  cacheHits: number;
  /** Over renders that used a container, since start-up. */
  p50Ms: number;
  p95Ms: number;
}

/** Screenshots at the top level; animations and tours (seconds, not milliseconds) apart. */
export interface RenderStatsSnapshot extends RenderCounts {
  animations: RenderCounts;
  startedAt: number;
}

export interface RenderOutcome {
  ok: boolean;
  cached: boolean;
  totalMs: number;
  /** Absent or "screenshot" for a screenshot. */
  mode?: RenderMode;
}

export interface IRenderStats {
  record(outcome: RenderOutcome): void;
  snapshot(): RenderStatsSnapshot;
}

const WINDOW = 2000;

class Tally {
  private readonly durations: number[] = [];
  private renders = 0;
  private failures = 0;
  private cacheHits = 0;

  record(outcome: RenderOutcome): void {
    this.renders++;
    if (!outcome.ok) this.failures++;
    if (outcome.cached) {
      this.cacheHits++;
      return;
    }
    this.durations.push(outcome.totalMs);
    if (this.durations.length > WINDOW) this.durations.shift();
  }

  counts(): RenderCounts {
    return {
      renders: this.renders,
      failures: this.failures,
      cacheHits: this.cacheHits,
      p50Ms: percentile(this.durations, 50),
      p95Ms: percentile(this.durations, 95),
    };
  }
}

/** Counters and recent durations for /kivy status. */
@injectable()
export class RenderStats implements IRenderStats {
  private readonly screenshots = new Tally();
  private readonly animations = new Tally();
  private readonly startedAt = Date.now();

  record(outcome: RenderOutcome): void {
    (outcome.mode && outcome.mode !== 'screenshot' ? this.animations : this.screenshots).record(outcome);
  }

  snapshot(): RenderStatsSnapshot {
    return { ...this.screenshots.counts(), animations: this.animations.counts(), startedAt: this.startedAt };
  }
}
