import { Listener, type UserError, type ContextMenuCommandDeniedPayload } from '@sapphire/framework';
import type { IRenderResponder } from '../bot/render-responder.js';
import { Tokens } from '../tokens.js';

/** A precondition refused the context menu command: tell the user why, privately. */
export class ContextMenuCommandDeniedListener extends Listener {
  public run(error: UserError, { interaction }: ContextMenuCommandDeniedPayload) {
    return this.container.services.resolve<IRenderResponder>(Tokens.RenderResponder).notify(interaction, error.message);
  }
}
