import { Listener, type ContextMenuCommandErrorPayload } from '@sapphire/framework';
import type { IRenderResponder } from '../bot/render-responder.js';
import { Tokens } from '../tokens.js';

/** The context menu command threw: the user still gets an answer (Sapphire's own listener logs the error). */
export class ContextMenuCommandErrorListener extends Listener {
  public run(error: unknown, { interaction }: ContextMenuCommandErrorPayload) {
    return this.container.services.resolve<IRenderResponder>(Tokens.RenderResponder).fail(interaction, error);
  }
}
