import { Subcommand } from '@sapphire/plugin-subcommands';
import { InteractionContextType, MessageFlags } from 'discord.js';
import { commandChoices } from '../bot/render-options.js';
import type { IRenderResponder } from '../bot/render-responder.js';
import type { IStatusReporter } from '../bot/status-reporter.js';
import type { ITemplateLibrary } from '../bot/template-library.js';
import type { EngineConfig } from '../config.js';
import { ANIMATION_FORMATS, RENDER_MODES } from '../models/render-request.js';
import { ANIMATION_DEFAULTS } from '../services/kivy-validator.js';
import { Tokens } from '../tokens.js';
import { DiscordLimits } from '../views/format.js';
import { kivyPromptModal } from '../views/kivy-prompt-view.js';
import { Notices } from '../views/notices.js';
import { statusEmbed } from '../views/status-view.js';
import { templateChoices, templateListEmbed } from '../views/template-view.js';

/** Discord's limit for a string option. */
const MAX_CODE_OPTION = 6000;
const STEPS_DESCRIPTION = 'Steps separated by ; e.g. type #name "Alice"; press "Log in"; wait 500';

export class KivyCommand extends Subcommand {
  public constructor(context: Subcommand.LoaderContext, options: Subcommand.Options) {
    super(context, {
      ...options,
      description: 'Render Kivy code, start from a template, or see the renderer status',
      subcommands: [
        { name: 'render', chatInputRun: 'chatInputRender', preconditions: ['ValidKivyCode', 'RateLimit'] },
        { name: 'template', chatInputRun: 'chatInputTemplate', preconditions: ['RateLimit'] },
        { name: 'status', chatInputRun: 'chatInputStatus' },
      ],
    });
  }

  public override registerApplicationCommands(registry: Subcommand.Registry) {
    const { maxAnimationMs } = this.container.services.resolve<EngineConfig>(Tokens.Config);
    const choices = (values: readonly string[]) => values.map((value) => ({ name: value, value }));
    registry.registerChatInputCommand((builder) =>
      builder
        .setName(this.name)
        .setDescription(this.description)
        .setContexts(InteractionContextType.Guild)
        .addSubcommand((render) =>
          render
            .setName('render')
            .setDescription('Render Python or KV code; without code or a file, opens an editor')
            .addStringOption((option) => option.setName('code').setDescription('The code (a ```py block is fine)').setMaxLength(MAX_CODE_OPTION))
            .addAttachmentOption((option) => option.setName('file').setDescription('A .py or .kv file'))
            .addStringOption((option) => option.setName('size').setDescription('Window size as WIDTHxHEIGHT, e.g. 800x600').setMaxLength(11))
            .addStringOption((option) =>
              option.setName('mode').setDescription('A screenshot (default), a recording (animation) or a recorded press of every button (tour)').addChoices(choices(RENDER_MODES)),
            )
            .addStringOption((option) =>
              // Fits the editor's steps input, so a modal opened with steps can show them.
              option.setName('steps').setDescription(STEPS_DESCRIPTION).setMaxLength(DiscordLimits.modalTextInput),
            )
            .addStringOption((option) => option.setName('format').setDescription('Recording format: gif (default) or mp4').addChoices(choices(ANIMATION_FORMATS)))
            .addNumberOption((option) =>
              option
                .setName('duration')
                .setDescription(`Animation length in seconds (default ${ANIMATION_DEFAULTS.durationMs / 1000})`)
                .setMinValue(ANIMATION_DEFAULTS.minDurationMs / 1000)
                .setMaxValue(maxAnimationMs / 1000),
            ),
        )
        .addSubcommand((template) =>
          template
            .setName('template')
            .setDescription('Render a starter template; without a name, list them')
            .addStringOption((option) => option.setName('name').setDescription('The template').setAutocomplete(true)),
        )
        .addSubcommand((status) => status.setName('status').setDescription('Pool, queue, cache, render times, versions and uptime')),
    );
  }

  public async chatInputRender(interaction: Subcommand.ChatInputCommandInteraction) {
    const code = interaction.options.getString('code');
    const file = interaction.options.getAttachment('file');
    const choices = commandChoices(interaction.options);
    const { size, media, steps } = choices;
    const source = file ? { file } : code ? { code } : null;
    if (!source) return interaction.showModal(kivyPromptModal({ size: size && `${size.width}x${size.height}`, media, steps }));
    return this.responder.render(interaction, source, choices);
  }

  public async chatInputTemplate(interaction: Subcommand.ChatInputCommandInteraction) {
    const library = this.container.services.resolve<ITemplateLibrary>(Tokens.TemplateLibrary);
    const name = interaction.options.getString('name');
    if (!name) return interaction.reply({ embeds: [templateListEmbed(library.list())], flags: MessageFlags.Ephemeral });
    const template = library.get(name);
    if (!template) return this.responder.notify(interaction, Notices.unknownTemplate(name, library.list().map((known) => known.name)));
    return this.responder.render(interaction, { code: template.code, filename: template.filename }, { template: { title: template.title } });
  }

  public async chatInputStatus(interaction: Subcommand.ChatInputCommandInteraction) {
    await interaction.deferReply();
    const report = await this.container.services.resolve<IStatusReporter>(Tokens.StatusReporter).report();
    await interaction.editReply({ embeds: [statusEmbed(report, this.container.client.uptime ?? 0)] });
  }

  public override async autocompleteRun(interaction: Subcommand.AutocompleteInteraction) {
    const focused = interaction.options.getFocused(true);
    const library = this.container.services.resolve<ITemplateLibrary>(Tokens.TemplateLibrary);
    await interaction.respond(focused.name === 'name' ? templateChoices(library.search(String(focused.value))) : []);
  }

  private get responder(): IRenderResponder {
    return this.container.services.resolve<IRenderResponder>(Tokens.RenderResponder);
  }
}
