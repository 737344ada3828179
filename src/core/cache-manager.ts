import { mkdirSync, renameSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import KeyvSqlite from '@keyv/sqlite';
import Keyv from 'keyv';
import { inject, injectable } from 'tsyringe';
import type { EngineConfig } from '../config.js';
import type { ProcessedCode, RenderOptions } from '../models/render-request.js';
import type { RenderMedia, RenderResult } from '../models/render-result.js';
import { Tokens } from '../tokens.js';
import { errorChain } from '../utils/errors.js';
import { sha256 } from '../utils/helpers.js';
import type { Logger } from '../utils/logger.js';

/** What a successful render leaves in the cache: the result's content, the image as base64. */
export type CachedRender = Pick<RenderResult, 'width' | 'height' | 'stdout' | 'stderr' | 'stdoutTruncated' | 'stderrTruncated' | 'kivyVersion'> & {
  /** base64 of the rendered file: the screenshot, or the GIF/MP4 that `media` describes. */
  png: string;
  /** Absent for a screenshot. */
  media?: RenderMedia;
  renderedAt: number;
};

export interface CacheStats {
  entries: number;
  hits: number;
  misses: number;
  hitRate: number;
}

export interface ICacheManager {
  key(imageVersion: string, code: ProcessedCode, options: RenderOptions): string;
  /** A miss on any store error: the cache must never stop a render. */
  get(key: string): Promise<CachedRender | undefined>;
  set(key: string, value: CachedRender): Promise<void>;
  stats(): Promise<CacheStats>;
  close(): Promise<void>;
}

const NAMESPACE = 'renders';
/** SQLite failures that mean the file itself is unusable (not a transient lock). */
const BROKEN_FILE = /SQLITE_(CORRUPT|NOTADB|CANTOPEN|IOERR|READONLY)/;

@injectable()
export class CacheManager implements ICacheManager {
  private keyv!: Keyv<CachedRender>;
  private sqlite: KeyvSqlite | null = null;
  private readonly file: string | null;
  private hits = 0;
  private misses = 0;

  constructor(
    @inject(Tokens.Config) private readonly config: EngineConfig,
    @inject(Tokens.Logger) private readonly logger: Logger,
  ) {
    const url = config.cacheUrl;
    if (url.startsWith('sqlite://')) this.file = url.slice('sqlite://'.length);
    else if (url === 'memory://') this.file = null;
    else throw new Error(`KIVY_CACHE_URL must be sqlite://PATH or memory://, not ${url}`);
    this.open(this.file);
  }

  private open(file: string | null): void {
    const ttl = this.config.cacheTtlMs || undefined;
    this.sqlite = null;
    if (file) {
      mkdirSync(dirname(file), { recursive: true });
      this.sqlite = new KeyvSqlite({ uri: `sqlite://${file}`, busyTimeout: 2000 });
      this.sqlite.on('error', () => undefined); // surfaced through keyv's own error event
    }
    this.keyv = this.sqlite ? new Keyv<CachedRender>({ store: this.sqlite, namespace: NAMESPACE, ttl, throwOnErrors: true }) : new Keyv<CachedRender>({ namespace: NAMESPACE, ttl, throwOnErrors: true });
    this.keyv.on('error', (error: unknown) => this.logger.warn(`cache store error: ${errorChain(error)}`));
  }

  /**
   * A corrupted or unreadable cache file is moved aside and a fresh one started (in memory if even
   * that fails), so renders never stop because of the cache.
   */
  private recover(error: unknown): void {
    if (!this.file || !this.sqlite || !BROKEN_FILE.test(errorChain(error))) return;
    const aside = `${this.file}.broken-${Date.now()}`;
    this.logger.error(`cache file ${this.file} is unusable (${errorChain(error)}); moving it to ${aside} and starting afresh`);
    void this.sqlite.disconnect().catch(() => undefined);
    try {
      if (statSync(this.file, { throwIfNoEntry: false })) renameSync(this.file, aside);
      this.open(this.file);
    } catch (renameError) {
      this.logger.error(`could not move the cache file aside (${errorChain(renameError)}); caching in memory`);
      this.open(null);
    }
  }

  key(imageVersion: string, code: ProcessedCode, options: RenderOptions): string {
    return sha256(imageVersion, JSON.stringify(code), JSON.stringify(options));
  }

  async get(key: string): Promise<CachedRender | undefined> {
    let value: CachedRender | undefined;
    try {
      value = await this.keyv.get(key);
    } catch (error) {
      this.logger.warn(`cache read failed, rendering instead: ${errorChain(error)}`);
      this.recover(error);
    }
    if (value && typeof value.png === 'string') this.hits++;
    else this.misses++;
    return value && typeof value.png === 'string' ? value : undefined;
  }

  async set(key: string, value: CachedRender): Promise<void> {
    try {
      await this.keyv.set(key, value);
    } catch (error) {
      this.logger.warn(`cache write failed: ${errorChain(error)}`);
      this.recover(error);
    }
  }

  async stats(): Promise<CacheStats> {
    let entries = 0;
    try {
      if (this.sqlite) {
        const rows = await this.sqlite.query(`SELECT COUNT(*) AS n FROM ${this.sqlite.opts.table ?? 'keyv'} WHERE key LIKE ?`, `${NAMESPACE}:%`);
        entries = Number(rows[0]?.n ?? 0);
      } else {
        for await (const _ of this.keyv.iterator?.(NAMESPACE) ?? []) entries++;
      }
    } catch (error) {
      this.logger.warn(`cache stats failed: ${errorChain(error)}`);
    }
    const lookups = this.hits + this.misses;
    return { entries, hits: this.hits, misses: this.misses, hitRate: lookups ? this.hits / lookups : 0 };
  }

  async close(): Promise<void> {
    try {
      await this.keyv.disconnect();
    } catch (error) {
      this.logger.warn(`cache close failed: ${errorChain(error)}`);
    }
  }
}
