import { EmbedBuilder } from 'discord.js';
import type { StatusReport } from '../bot/status-reporter.js';
import type { PoolStatus } from '../models/container-status.js';
import { Colors, DiscordLimits, formatDuration } from './format.js';

export function poolSummary(pool: PoolStatus): string {
  const line = `idle ${pool.idle} · busy ${pool.busy} · warming ${pool.warming} · target ${pool.target}`;
  return pool.refilling ? line : `${line} (drained: not refilling)`;
}

/** /kivy status. */
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
      {
        name: 'Renders since start',
        value: `${renders.renders} (${renders.failures} failed, ${renders.cacheHits} from cache) · p50 ${formatDuration(renders.p50Ms)} · p95 ${formatDuration(renders.p95Ms)}`,
      },
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
