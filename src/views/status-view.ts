import { EmbedBuilder } from 'discord.js';
import type { StatusReport } from '../bot/status-reporter.js';
import type { RenderCounts } from '../core/render-stats.js';
import type { PoolStatus } from '../models/container-status.js';
import { Colors, DiscordLimits, formatDuration } from './format.js';

export function poolSummary(pool: PoolStatus): string {
  const line = `idle ${pool.idle} · busy ${pool.busy} · warming ${pool.warming} · target ${pool.target}`;
  return pool.refilling ? line : `${line} (drained: not refilling)`;
}

/** Renders since start-up, failures, cache hits and the durations of those that used a container. */
function countsSummary(counts: RenderCounts): string {
  if (counts.renders === 0) return 'none yet';
  return `${counts.renders} (${counts.failures} failed, ${counts.cacheHits} from cache) · p50 ${formatDuration(counts.p50Ms)} · p95 ${formatDuration(counts.p95Ms)}`;
}

/** /kivy status: screenshots and recordings (animations and tours) counted apart. */
export function statusEmbed(report: StatusReport, uptimeMs: number): EmbedBuilder {
  const { pool, cache, renders } = report;
  const lookups = cache.hits + cache.misses;
  const embed = new EmbedBuilder()
    .setColor(Colors.info)
    .setTitle('Kivy renderer status')
    .addFields(
      { name: 'Pool', value: poolSummary(pool) },
      { name: 'Queue', value: `${pool.queued} waiting (limit ${pool.maxQueue})`, inline: true },
      { name: 'Cache', value: `${cache.entries} entries · hit rate ${Math.round(cache.hitRate * 100)}% (${cache.hits}/${lookups})`, inline: true },
      { name: 'Screenshots since start', value: countsSummary(renders) },
      { name: 'Animations and tours since start', value: countsSummary(renders.animations) },
      { name: 'Docker engine', value: report.dockerVersion ?? 'not reachable', inline: true },
      { name: 'Image', value: `\`${report.image.tag}\``, inline: true },
      { name: 'Kivy', value: report.kivyVersion || 'unknown (no container ready yet)', inline: true },
      { name: 'Uptime', value: formatDuration(uptimeMs), inline: true },
    );
  if (pool.lastError) embed.addFields({ name: 'Last pool error', value: pool.lastError.slice(0, DiscordLimits.fieldValue) });
  return embed;
}

export function poolWarmedEmbed(target: number, pool: PoolStatus): EmbedBuilder {
  return new EmbedBuilder().setColor(Colors.info).setTitle(`Pool warming to ${target} container(s)`).setDescription(poolSummary(pool));
}

export function poolDrainedEmbed(removed: number, pool: PoolStatus): EmbedBuilder {
  return new EmbedBuilder()
    .setColor(Colors.info)
    .setTitle(`Pool drained: ${removed} container(s) removed`)
    .setDescription(`${poolSummary(pool)}\nRenders are refused until \`/pool warm\`.`);
}
