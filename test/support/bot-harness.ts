import { expect } from 'chai';
import { InteractionResponseType, MessageFlags } from 'discord.js';
import { startBot, type KivyRenderClient } from '../../src/bot.js';
import type { FakeDiscord, InteractionHandle, RecordedRequest, VisibleMessage } from './discord/index.js';

export type Json = Record<string, any>;

/** What the bot sent for an interaction, read off the stand-in; `discord` is read lazily (set in `before`). */
export function interactionProbes(discord: () => FakeDiscord) {
  const isCallback = (handle: InteractionHandle) => (request: RecordedRequest) =>
    request.interactionToken === handle.token && request.route === '/interactions/{interaction_id}/{interaction_token}/callback';
  const isEdit = (handle: InteractionHandle) => (request: RecordedRequest) => request.interactionToken === handle.token && request.method === 'PATCH';
  const editsOf = (handle: InteractionHandle) => discord().requests.filter(isEdit(handle)).map((request) => request.json as Json);

  /** Waits for the edit that carries an embed (the render or its error); returns the reply as users see it. */
  async function finalReply(handle: InteractionHandle, timeoutMs = 45_000): Promise<VisibleMessage> {
    await discord().waitFor((request) => isEdit(handle)(request) && ((request.json as Json).embeds?.length ?? 0) > 0, timeoutMs);
    return discord().originalMessage(handle.token)!;
  }

  /** The ephemeral message an interaction was answered with (no deferral). */
  async function ephemeralAnswer(handle: InteractionHandle): Promise<Json> {
    await discord().waitFor(isCallback(handle));
    const [callback, ...more] = discord().interactionResponses(handle.token).callbacks;
    expect(more).to.deep.equal([]);
    expect(callback.type).to.equal(InteractionResponseType.ChannelMessageWithSource);
    const data = callback.data as Json;
    expect(data.flags & MessageFlags.Ephemeral).to.equal(MessageFlags.Ephemeral);
    return data;
  }

  /** The modal an interaction was answered with: its custom id, title, first input and inputs by custom id. */
  async function shownModal(handle: InteractionHandle) {
    await discord().waitFor(isCallback(handle));
    const modal = discord().interactionResponses(handle.token).modal!;
    expect(modal, 'a modal').to.not.equal(undefined);
    const components = modal.components.map((label) => (label as Json).component as Json);
    const inputs = Object.fromEntries(components.map((component) => [component.custom_id, component]));
    return { customId: modal.custom_id, title: (modal as Json).title as string, input: components[0], inputs };
  }

  return { isCallback, isEdit, editsOf, finalReply, ephemeralAnswer, shownModal };
}

/** Starts the real bot from its entry point against `discord`: memory cache, pool of 2, no Docker install. */
export function startTestBot(discord: FakeDiscord, instanceId: string, env: NodeJS.ProcessEnv = {}): Promise<KivyRenderClient> {
  return startBot({
    env: {
      KIVY_CACHE_URL: 'memory://',
      KIVY_POOL_SIZE: '2',
      KIVY_INSTALL_DOCKER: 'false',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
      ...env,
      DISCORD_TOKEN: discord.token,
      DISCORD_API_URL: discord.restApiUrl,
      KIVY_INSTANCE_ID: instanceId,
    },
  });
}

/** Every request the bot sent kept Discord's contract, and the stand-in understood all of them. */
export function expectDiscordContractKept(discord: FakeDiscord): void {
  expect(discord.violations, "requests that break Discord's contract").to.deep.equal([]);
  expect(discord.standInErrors).to.deep.equal([]);
  expect(discord.unknownRoutes).to.deep.equal([]);
}
