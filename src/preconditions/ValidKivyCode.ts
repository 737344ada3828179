import { Precondition } from '@sapphire/framework';
import type { ChatInputCommandInteraction, ContextMenuCommandInteraction } from 'discord.js';
import { pickCodeBlock } from '../bot/code-blocks.js';
import type { ICodeDownloader } from '../bot/code-downloader.js';
import { commandChoices, requestOptions, uploadLimit } from '../bot/render-options.js';
import type { IKivyValidator } from '../services/kivy-validator.js';
import { Tokens } from '../tokens.js';
import { ValidationError } from '../utils/errors.js';
import { Notices } from '../views/notices.js';

/** Runs the validator (code, file, size, mode and steps) before anything is deferred or a container is taken. */
export class ValidKivyCodePrecondition extends Precondition {
  public override chatInputRun(interaction: ChatInputCommandInteraction) {
    const code = interaction.options.getString('code');
    const file = interaction.options.getAttachment('file');
    if (code && file) return this.error({ message: Notices.bothCodeAndFile });
    return this.validate(() => {
      if (file) this.container.services.resolve<ICodeDownloader>(Tokens.CodeDownloader).check(file);
      if (code) this.validator.validateCode(code);
      // The engine's own check: a bad step is named here (e.g. "Step 2 (line 1: scroll #list sideways): say which way…").
      this.validator.normalizeOptions(requestOptions(commandChoices(interaction.options), uploadLimit(interaction)));
    });
  }

  public override contextMenuRun(interaction: ContextMenuCommandInteraction) {
    if (!interaction.isMessageContextMenuCommand()) return this.ok();
    const block = pickCodeBlock(interaction.targetMessage.content);
    if (!block) return this.error({ message: Notices.noCodeBlock });
    return this.validate(() => this.validator.validateCode(block.code));
  }

  private get validator(): IKivyValidator {
    return this.container.services.resolve<IKivyValidator>(Tokens.KivyValidator);
  }

  private validate(check: () => void) {
    try {
      check();
      return this.ok();
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return this.error({ message: error.message, context: { line: error.line } });
    }
  }
}

declare module '@sapphire/framework' {
  interface Preconditions {
    ValidKivyCode: never;
  }
}
