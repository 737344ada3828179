import { Listener, type AutocompleteInteractionPayload } from '@sapphire/framework';
import type { IRenderResponder } from '../bot/render-responder.js';
import { Tokens } from '../tokens.js';

/** The autocomplete threw: the user still gets an answer (Sapphire's own listener logs the error). */
export class CommandAutocompleteInteractionErrorListener extends Listener {
  public run(error: unknown, { interaction }: AutocompleteInteractionPayload) {
    return this.container.services.resolve<IRenderResponder>(Tokens.RenderResponder).fail(interaction, error);
  }
}
