import { Listener, type ChatInputCommandErrorPayload } from '@sapphire/framework';
import type { IRenderResponder } from '../bot/render-responder.js';
import { Tokens } from '../tokens.js';

/** The slash command threw: the user still gets an answer (Sapphire's own listener logs the error). */
export class ChatInputCommandErrorListener extends Listener {
  public run(error: unknown, { interaction }: ChatInputCommandErrorPayload) {
    return this.container.services.resolve<IRenderResponder>(Tokens.RenderResponder).fail(interaction, error);
  }
}
