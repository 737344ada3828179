import { ActionRowBuilder, ButtonBuilder, ButtonStyle } from 'discord.js';
import type { RateLimitDecision } from '../bot/rate-limiter.js';
import { CustomIds } from './custom-ids.js';
import { DiscordLimits, formatDuration } from './format.js';

/** Short answers, mostly ephemeral, to requests the bot refuses or redirects. */
export const Notices = {
  rateLimited(decision: Extract<RateLimitDecision, { allowed: false }>): string {
    const seconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
    const who = decision.scope === 'user' ? 'You have' : 'This server has';
    const allowed = `${decision.limit} renders allowed per ${formatDuration(decision.windowSeconds * 1000)}`;
    if (decision.cost > 1) {
      return `A recording counts as ${decision.cost} renders, and ${who.toLowerCase()} fewer than that left of the ${allowed}: try again in ${seconds} s.`;
    }
    return `${who} used all ${allowed}: try again in ${seconds} s.`;
  },
  adminOnly: "Only the bot's owners and members with the Administrator permission can manage the render pool.",
  bothCodeAndFile: 'Give either `code` or `file`, not both.',
  noCodeBlock: 'That message holds no code block: wrap the code in ``` fences (```py or ```kv).',
  deleteRefused: 'Only the person who asked for this render, or members with Manage Messages, can delete it.',
  renderButtonNotYours: 'Only the author of the code can render it with this button; use the "Render Kivy" message command instead.',
  renderButtonExpired: 'This Render button has expired; use the "Render Kivy" message command instead.',
  sourceMissing: 'The code of this render is no longer attached, so it cannot be edited.',
  tooLongForEditor: (length: number, filename: string) =>
    `This code is ${length} characters; Discord's editor holds ${DiscordLimits.modalTextInput}. Download ${filename}, edit it, and render it with \`/kivy render file:\`.`,
  unknownTemplate: (name: string, known: string[]) => `There is no template "${name}". Try one of: ${known.join(', ')}.`,
  outdated: 'This comes from an older version of the bot and no longer works: run the command again.',
  codeMessageGone: 'The message with the code is gone, so there is nothing to render.',
};

/** The message listener's offer under a message with Kivy code. */
export function renderOffer(authorId: string, expiresAt: number) {
  return {
    content: 'That looks like Kivy code. Press **Render** to see it.',
    components: [
      new ActionRowBuilder<ButtonBuilder>().addComponents(
        new ButtonBuilder().setCustomId(CustomIds.renderMessage(authorId, expiresAt)).setLabel('Render').setStyle(ButtonStyle.Primary),
      ),
    ],
  };
}
