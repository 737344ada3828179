import { EmbedBuilder, type ApplicationCommandOptionChoiceData } from 'discord.js';
import type { StarterTemplate } from '../bot/template-library.js';
import { Colors, DiscordLimits } from './format.js';

/** `/kivy template` without a name. */
export function templateListEmbed(templates: StarterTemplate[]): EmbedBuilder {
  return new EmbedBuilder()
    .setColor(Colors.info)
    .setTitle('Starter templates')
    .setDescription(templates.map((template) => `**${template.name}**: ${template.description}`).join('\n'))
    .setFooter({ text: 'Render one with /kivy template name:<name>' });
}

export function templateChoices(templates: StarterTemplate[]): ApplicationCommandOptionChoiceData<string>[] {
  return templates.map((template) => ({
    name: `${template.title}: ${template.description}`.slice(0, DiscordLimits.autocompleteName),
    value: template.name,
  }));
}
