import { Listener, type UserError } from '@sapphire/framework';
import type { ChatInputSubcommandDeniedPayload } from '@sapphire/plugin-subcommands';
import type { IRenderResponder } from '../bot/render-responder.js';
import { Tokens } from '../tokens.js';

/** A precondition refused the subcommand: tell the user why, privately. */
export class ChatInputSubcommandDeniedListener extends Listener {
  public run(error: UserError, { interaction }: ChatInputSubcommandDeniedPayload) {
    return this.container.services.resolve<IRenderResponder>(Tokens.RenderResponder).notify(interaction, error.message);
  }
}
