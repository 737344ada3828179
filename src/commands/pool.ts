import { Subcommand } from '@sapphire/plugin-subcommands';
import { InteractionContextType, MessageFlags, PermissionFlagsBits } from 'discord.js';
import type { EngineConfig } from '../config.js';
import type { IContainerPool } from '../core/container-pool.js';
import { Tokens } from '../tokens.js';
import { poolDrainedEmbed, poolWarmedEmbed } from '../views/status-view.js';

export class PoolCommand extends Subcommand {
  public constructor(context: Subcommand.LoaderContext, options: Subcommand.Options) {
    super(context, {
      ...options,
      description: 'Manage the pool of warm render containers (admins)',
      preconditions: ['AdminOnly'],
      subcommands: [
        { name: 'warm', chatInputRun: 'chatInputWarm' },
        { name: 'drain', chatInputRun: 'chatInputDrain' },
      ],
    });
  }

  public override registerApplicationCommands(registry: Subcommand.Registry) {
    const { maxPoolSize } = this.container.services.resolve<EngineConfig>(Tokens.Config);
    registry.registerChatInputCommand((builder) =>
      builder
        .setName(this.name)
        .setDescription(this.description)
        .setContexts(InteractionContextType.Guild)
        .setDefaultMemberPermissions(PermissionFlagsBits.Administrator)
        .addSubcommand((warm) =>
          warm
            .setName('warm')
            .setDescription('Keep this many containers warm (default: the configured size) and resume refilling')
            .addIntegerOption((option) => option.setName('count').setDescription('Warm containers to keep').setMinValue(0).setMaxValue(maxPoolSize)),
        )
        .addSubcommand((drain) => drain.setName('drain').setDescription('Remove every idle container and stop refilling')),
    );
  }

  public async chatInputWarm(interaction: Subcommand.ChatInputCommandInteraction) {
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const target = await this.pool.warm(interaction.options.getInteger('count') ?? undefined);
    await interaction.editReply({ embeds: [poolWarmedEmbed(target, this.pool.status())] });
  }

  public async chatInputDrain(interaction: Subcommand.ChatInputCommandInteraction) {
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const removed = await this.pool.drain();
    await interaction.editReply({ embeds: [poolDrainedEmbed(removed, this.pool.status())] });
  }

  private get pool(): IContainerPool {
    return this.container.services.resolve<IContainerPool>(Tokens.ContainerPool);
  }
}
