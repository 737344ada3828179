import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { loadEngineConfig } from '../../src/config.js';
import { CacheManager, type CachedRender } from '../../src/core/cache-manager.js';
import { createLogger } from '../../src/utils/logger.js';

const ENTRY: CachedRender = {
  png: Buffer.from('png').toString('base64'), width: 1, height: 1, stdout: '', stderr: '',
  stdoutTruncated: false, stderrTruncated: false, kivyVersion: '2.3.1', renderedAt: 0,
};

function cacheAt(file: string) {
  return new CacheManager(loadEngineConfig({}, { cacheUrl: `sqlite://${file}` }), createLogger('error'));
}

describe('CacheManager (keyv + sqlite)', () => {
  it('keeps entries across instances and counts hits, misses and entries', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'kivy-cache-')), 'cache.sqlite');
    const first = cacheAt(file);
    await first.set('a', ENTRY);
    await first.close();
    const second = cacheAt(file);
    expect(await second.get('a')).to.deep.equal(ENTRY);
    expect(await second.get('missing')).to.equal(undefined);
    expect(await second.stats()).to.deep.equal({ entries: 1, hits: 1, misses: 1, hitRate: 0.5 });
    await second.close();
  });

  it('recovers from a corrupted cache file: renders go on, the file is moved aside, caching resumes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kivy-cache-'));
    const file = join(dir, 'cache.sqlite');
    writeFileSync(file, Buffer.alloc(64 * 1024, 0x5a));
    const cache = cacheAt(file);
    expect(await cache.get('a')).to.equal(undefined);
    await cache.set('a', ENTRY);
    expect(await cache.get('a')).to.deep.equal(ENTRY);
    expect(readdirSync(dir).some((name) => name.startsWith('cache.sqlite.broken-'))).to.equal(true);
    await cache.close();
  });

  it('keys on image version, code and options', () => {
    const cache = new CacheManager(loadEngineConfig({}, { cacheUrl: 'memory://' }), createLogger('error'));
    const code = { mode: 'python' as const, source: 'x', filename: 'main.py', harness: [] };
    const options = { width: 800, height: 600, delayMs: 0 };
    const key = cache.key('v1', code, options);
    expect(cache.key('v1', code, options)).to.equal(key);
    expect(cache.key('v2', code, options)).not.to.equal(key);
    expect(cache.key('v1', { ...code, source: 'y' }, options)).not.to.equal(key);
    expect(cache.key('v1', code, { ...options, width: 801 })).not.to.equal(key);
  });
});
