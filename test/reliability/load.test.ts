import { expect } from 'chai';
import { InteractionResponseType } from 'discord.js';
import type { KivyRenderClient } from '../../src/bot.js';
import { startTestBot } from '../support/bot-harness.js';
import { FakeDiscord, type FakeMember, type InteractionHandle } from '../support/discord/index.js';
import { labelledContainers } from '../support/engine.js';

type Outcome = 'rendered' | 'cached' | 'busy' | 'rate-limited' | 'other';
type Json = Record<string, any>;

const INSTANCE_ID = `load-test-${process.pid}`;
const USERS = 20;
const REQUESTS = 100;
const QUEUE_LIMIT = 20;
const code = (tag: string) => `from kivy.uix.label import Label\nroot = Label(text=${JSON.stringify(tag)})\n`;

/**
 * 100 /kivy render requests from 20 users at once against the real bot (pool of 2, bounded queue):
 * every request must get an answer (a render, a cache hit, or a clear busy / rate-limit message),
 * none lost, memory stable across two waves, no container left behind.
 */
describe('Load: 100 requests from 20 users at once (real bot, real engine)', function () {
  this.timeout(300_000);
  let discord: FakeDiscord;
  let bot: KivyRenderClient;
  const waves: { counts: Record<Outcome, number>; seconds: number; rssMb: number }[] = [];

  before(async () => {
    discord = await FakeDiscord.start();
    bot = await startTestBot(discord, INSTANCE_ID, {
      KIVY_QUEUE_LIMIT: String(QUEUE_LIMIT),
      KIVY_USER_RATE_LIMIT: '5',
      KIVY_GUILD_RATE_LIMIT: '1000',
    });
  });

  after(async () => {
    await bot?.shutdown();
    await discord?.stop();
    expect(await labelledContainers(INSTANCE_ID), 'containers left behind').to.deep.equal([]);
    process.stdout.write(`      load-summary ${JSON.stringify(waves)}\n`);
  });

  /** How the interaction was finally answered, as the user sees it. */
  async function outcomeOf(handle: InteractionHandle): Promise<Outcome> {
    const answered = await discord.waitFor(
      (request) =>
        request.interactionToken === handle.token &&
        ((request.method === 'POST' && (request.json as Json)?.type === InteractionResponseType.ChannelMessageWithSource) ||
          (request.method === 'PATCH' && ((request.json as Json)?.embeds?.length ?? 0) > 0)),
      120_000,
    );
    const json = answered.json as Json;
    if (answered.method === 'POST') return /try again in \d+ s/.test(json.data?.content ?? '') ? 'rate-limited' : 'other';
    const embed = json.embeds[0];
    const cache = embed.fields?.find((field: Json) => field.name === 'Cache')?.value;
    if (cache === 'fresh render') return 'rendered';
    if (cache === 'cached') return 'cached';
    return /busy/i.test(`${embed.title} ${embed.description}`) ? 'busy' : 'other';
  }

  async function wave(name: string): Promise<Record<Outcome, number>> {
    const users: FakeMember[] = Array.from({ length: USERS }, (_, i) => discord.createMember({ username: `${name}-user-${i}` }));
    // Uneven demand: some users stay under the limit of 5, others go over it; a fifth repeat one snippet.
    const handles: InteractionHandle[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const user = users[i % 4 === 0 ? i % 8 : i % USERS];
      const snippet = i % 5 === 0 ? code('shared') : code(`${name} request ${i}`);
      handles.push(discord.interactChatInput({ user, name: 'kivy', subcommand: 'render', options: { code: snippet } }));
    }
    const started = Date.now();
    const outcomes = await Promise.all(handles.map(outcomeOf));
    const counts: Record<Outcome, number> = { rendered: 0, cached: 0, busy: 0, 'rate-limited': 0, other: 0 };
    for (const outcome of outcomes) counts[outcome]++;
    waves.push({ counts, seconds: (Date.now() - started) / 1000, rssMb: Math.round(process.memoryUsage().rss / 2 ** 20) });
    return counts;
  }

  it('answers every request of a first wave: renders, cache hits, busy or rate-limited, none lost', async () => {
    // Warm the cache with the shared snippet so repeats can be hits.
    const warmUp = discord.interactChatInput({ user: discord.createMember(), name: 'kivy', subcommand: 'render', options: { code: code('shared') } });
    expect(await outcomeOf(warmUp)).to.equal('rendered');
    const counts = await wave('first');
    expect(counts.other, JSON.stringify(counts)).to.equal(0);
    expect(counts.rendered + counts.cached + counts.busy + counts['rate-limited']).to.equal(REQUESTS);
    expect(counts['rate-limited']).to.be.greaterThan(0);
    expect(counts.rendered).to.be.greaterThan(0);
    expect(counts.cached).to.be.greaterThan(0);
    expect(discord.violations).to.deep.equal([]);
  });

  it('answers a second wave the same way, with memory stable and the pool back to its size', async () => {
    const counts = await wave('second');
    expect(counts.other, JSON.stringify(counts)).to.equal(0);
    expect(counts.rendered + counts.cached + counts.busy + counts['rate-limited']).to.equal(REQUESTS);
    const [first, second] = waves;
    expect(second.rssMb - first.rssMb, 'RSS growth between waves (MB)').to.be.below(60);
    const live = await labelledContainers(INSTANCE_ID, 'render');
    expect(live.length).to.be.at.most(2 + 2); // the pool's two, plus at most two removals in flight
    expect(discord.violations).to.deep.equal([]);
  });
});
