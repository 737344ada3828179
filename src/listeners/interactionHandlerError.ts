import { Listener, type InteractionHandlerError } from '@sapphire/framework';
import type { IRenderResponder } from '../bot/render-responder.js';
import { Tokens } from '../tokens.js';

/** The button or modal handler threw: the user still gets an answer (Sapphire's own listener logs the error). */
export class InteractionHandlerErrorListener extends Listener {
  public run(error: unknown, { interaction }: InteractionHandlerError) {
    return this.container.services.resolve<IRenderResponder>(Tokens.RenderResponder).fail(interaction, error);
  }
}
