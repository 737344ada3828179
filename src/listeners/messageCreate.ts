import { Listener } from '@sapphire/framework';
import type { Message } from 'discord.js';
import { findKivyBlock } from '../bot/code-blocks.js';
import type { BotConfig } from '../config.js';
import { Tokens } from '../tokens.js';
import { renderOffer } from '../views/notices.js';

/** Offers a Render button under messages with a ```py/```python/```kv block of Kivy code (KIVY_MESSAGE_LISTENER). */
export class MessageCreateListener extends Listener {
  private readonly ttlSeconds: number;

  public constructor(context: Listener.LoaderContext, options: Listener.Options) {
    super(context, options);
    const config = this.container.services.resolve<BotConfig>(Tokens.BotConfig);
    // Disabled pieces are never loaded; the client then also leaves the Message Content intent out.
    this.enabled = config.messageListener;
    this.ttlSeconds = config.renderButtonTtlSeconds;
  }

  public async run(message: Message) {
    if (message.author.bot || !message.inGuild() || !findKivyBlock(message.content)) return;
    const expiresAt = Math.floor(Date.now() / 1000) + this.ttlSeconds;
    await message.reply(renderOffer(message.author.id, expiresAt));
  }
}
