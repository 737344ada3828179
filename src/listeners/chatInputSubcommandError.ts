import { Listener } from '@sapphire/framework';
import type { ChatInputSubcommandErrorPayload } from '@sapphire/plugin-subcommands';
import type { IRenderResponder } from '../bot/render-responder.js';
import { Tokens } from '../tokens.js';

/** The subcommand threw: the user still gets an answer (Sapphire's own listener logs the error). */
export class ChatInputSubcommandErrorListener extends Listener {
  public run(error: unknown, { interaction }: ChatInputSubcommandErrorPayload) {
    return this.container.services.resolve<IRenderResponder>(Tokens.RenderResponder).fail(interaction, error);
  }
}
