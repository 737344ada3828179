import { Listener, type UserError, type ChatInputCommandDeniedPayload } from '@sapphire/framework';
import type { IRenderResponder } from '../bot/render-responder.js';
import { Tokens } from '../tokens.js';

/** A precondition refused the slash command: tell the user why, privately. */
export class ChatInputCommandDeniedListener extends Listener {
  public run(error: UserError, { interaction }: ChatInputCommandDeniedPayload) {
    return this.container.services.resolve<IRenderResponder>(Tokens.RenderResponder).notify(interaction, error.message);
  }
}
