import { Listener, type UnknownContextMenuCommandPayload } from '@sapphire/framework';
import type { IRenderResponder } from '../bot/render-responder.js';
import { Tokens } from '../tokens.js';
import { Notices } from '../views/notices.js';

/** A message command this bot no longer has (a client's stale copy after a deploy): answer rather than stay silent. */
export class UnknownContextMenuCommandListener extends Listener {
  public run({ interaction }: UnknownContextMenuCommandPayload) {
    return this.container.services.resolve<IRenderResponder>(Tokens.RenderResponder).notify(interaction, Notices.outdated);
  }
}
