import { Command } from '@sapphire/framework';
import { ApplicationCommandType, InteractionContextType } from 'discord.js';
import { pickCodeBlock } from '../bot/code-blocks.js';
import type { IRenderResponder } from '../bot/render-responder.js';
import { Tokens } from '../tokens.js';
import { Notices } from '../views/notices.js';

/** Message context menu "Render Kivy": renders the message's code block. */
export class RenderKivyCommand extends Command {
  public constructor(context: Command.LoaderContext, options: Command.Options) {
    super(context, { ...options, description: "Render a message's code block", preconditions: ['ValidKivyCode', 'RateLimit'] });
  }

  public override registerApplicationCommands(registry: Command.Registry) {
    registry.registerContextMenuCommand((builder) =>
      builder.setName('Render Kivy').setType(ApplicationCommandType.Message).setContexts(InteractionContextType.Guild),
    );
  }

  public override async contextMenuRun(interaction: Command.ContextMenuCommandInteraction) {
    if (!interaction.isMessageContextMenuCommand()) return;
    const responder = this.container.services.resolve<IRenderResponder>(Tokens.RenderResponder);
    const block = pickCodeBlock(interaction.targetMessage.content);
    if (!block) return responder.notify(interaction, Notices.noCodeBlock);
    return responder.render(interaction, { code: block.code, filename: block.filename });
  }
}
