import { Listener, type UnknownChatInputCommandPayload } from '@sapphire/framework';
import type { IRenderResponder } from '../bot/render-responder.js';
import { Tokens } from '../tokens.js';
import { Notices } from '../views/notices.js';

/** A slash command this bot no longer has (a client's stale copy after a deploy): answer rather than stay silent. */
export class UnknownChatInputCommandListener extends Listener {
  public run({ interaction }: UnknownChatInputCommandPayload) {
    return this.container.services.resolve<IRenderResponder>(Tokens.RenderResponder).notify(interaction, Notices.outdated);
  }
}
