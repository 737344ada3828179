import { Precondition } from '@sapphire/framework';
import type { ChatInputCommandInteraction, CommandInteraction, ContextMenuCommandInteraction } from 'discord.js';
import type { IRateLimiter } from '../bot/rate-limiter.js';
import { commandMedia, renderCost } from '../bot/render-options.js';
import { Tokens } from '../tokens.js';
import { Notices } from '../views/notices.js';

/** Options whose presence means the command renders right away. */
const RENDERING_OPTIONS = ['code', 'file', 'name'];

/** A per-user bucket plus a per-server cap on renders: "try again in N s". */
export class RateLimitPrecondition extends Precondition {
  public override chatInputRun(interaction: ChatInputCommandInteraction) {
    // Opening the editor or listing templates renders nothing yet (the modal's submit takes its own render),
    // but a user who is out of renders hears it now rather than after typing.
    const rendersNow = RENDERING_OPTIONS.some((name) => interaction.options.get(name) !== null);
    // A recording counts more; ValidKivyCode, which runs first, has refused meaningless mode options.
    return this.limit(interaction, rendersNow, renderCost(commandMedia(interaction.options)));
  }

  public override contextMenuRun(interaction: ContextMenuCommandInteraction) {
    return this.limit(interaction, true, 1);
  }

  private limit(interaction: CommandInteraction, take: boolean, cost: number) {
    const limiter = this.container.services.resolve<IRateLimiter>(Tokens.RateLimiter);
    const { id } = interaction.user;
    const decision = take ? limiter.take(id, interaction.guildId, cost) : limiter.check(id, interaction.guildId, cost);
    return decision.allowed ? this.ok() : this.error({ message: Notices.rateLimited(decision), context: { retryAfterMs: decision.retryAfterMs } });
  }
}

declare module '@sapphire/framework' {
  interface Preconditions {
    RateLimit: never;
  }
}
