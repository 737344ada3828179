import { basename } from 'node:path';
import { MessageFlags } from 'discord.js';
import type {
  BaseInteraction,
  ButtonInteraction,
  ChatInputCommandInteraction,
  CommandInteraction,
  MessageComponentInteraction,
  MessageContextMenuCommandInteraction,
  ModalSubmitInteraction,
} from 'discord.js';
import { inject, injectable } from 'tsyringe';
import type { IRenderer } from '../core/renderer.js';
import { looksLikeKv, stripFence } from '../services/code-processor.js';
import { Tokens } from '../tokens.js';
import { describeError, errorChain, type UserFacingError } from '../utils/errors.js';
import type { Logger } from '../utils/logger.js';
import { userText } from '../views/format.js';
import { Notices } from '../views/notices.js';
import { errorReply, progressReply, renderReply, type ReplyContext, type ReplyPayload } from '../views/render-reply.js';
import type { CodeFile, ICodeDownloader, Snippet } from './code-downloader.js';
import type { IRateLimiter } from './rate-limiter.js';
import { isRecording, renderCost, requestOptions, uploadLimit, type RenderChoices } from './render-options.js';

export type RenderableInteraction =
  | ChatInputCommandInteraction
  | MessageContextMenuCommandInteraction
  | ModalSubmitInteraction
  | ButtonInteraction;

/** Interactions that can be answered with a message. */
export type AnswerableInteraction = CommandInteraction | MessageComponentInteraction | ModalSubmitInteraction;

/** Code given directly, or a file to download first. */
export type SnippetSource = Snippet | { file: CodeFile };

/** Size, mode (screenshot, animation, tour) and steps, plus how to answer. */
export interface RespondOptions extends RenderChoices {
  /** A starter template: its title heads the reply and its code is shown. */
  template?: { title: string };
  /** Replace the clicked button's message instead of replying (the message listener's Render button). */
  updateMessage?: boolean;
  /** Take a render (a recording counts more) from the user's rate limit first (paths without the RateLimit precondition). */
  chargeRateLimit?: boolean;
}

export interface IRenderResponder {
  /** Acknowledges at once, renders with progress, and always ends with the render or an error reply. */
  render(interaction: RenderableInteraction, source: SnippetSource, options?: RespondOptions): Promise<void>;
  /** An ephemeral answer (refusals, hints); mentions neutralised. */
  notify(interaction: AnswerableInteraction, text: string): Promise<void>;
  /** Answers an interaction whose handling threw, however far it got. */
  fail(interaction: BaseInteraction, error: unknown): Promise<void>;
  /** Resolves once every render in flight has answered (shutdown). */
  idle(): Promise<void>;
}

/** Refusals and a busy or drained pool are expected; anything else is a fault worth an error log. */
const LOG_LEVELS: Partial<Record<UserFacingError['kind'], string>> = { validation: 'info', busy: 'warn', closed: 'warn' };

/** A render that is not done after this long gets a "Rendering…" (or "Recording…") progress edit. */
const SLOW_RENDER_MS = 1000;

@injectable()
export class RenderResponder implements IRenderResponder {
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    @inject(Tokens.Renderer) private readonly renderer: IRenderer,
    @inject(Tokens.CodeDownloader) private readonly downloader: ICodeDownloader,
    @inject(Tokens.RateLimiter) private readonly limiter: IRateLimiter,
    @inject(Tokens.Logger) private readonly logger: Logger,
  ) {}

  render(interaction: RenderableInteraction, source: SnippetSource, options: RespondOptions = {}): Promise<void> {
    const running: Promise<void> = this.respond(interaction, source, options).finally(() => this.inFlight.delete(running));
    this.inFlight.add(running);
    return running;
  }

  async idle(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  private async respond(interaction: RenderableInteraction, source: SnippetSource, options: RespondOptions): Promise<void> {
    const log = this.logger.child({ interaction: interaction.id, user: interaction.user.id });
    if (options.chargeRateLimit) {
      const decision = this.limiter.take(interaction.user.id, interaction.guildId, renderCost(options.media));
      if (!decision.allowed) return this.notify(interaction, Notices.rateLimited(decision));
    }
    // Acknowledge and render concurrently: the acknowledgement's round trip stays off the critical path.
    const acknowledged = this.acknowledge(interaction, options).then(
      () => true,
      (error: unknown) => {
        log.warn(`could not acknowledge the interaction: ${errorChain(error)}`);
        return false;
      },
    );
    const reply = new ReplyEditor((payload) => interaction.editReply(payload), acknowledged, log);
    let context: ReplyContext | undefined;
    let payload: ReplyPayload;
    try {
      const snippet = 'file' in source ? await this.downloader.download(source.file) : source;
      context = this.replyContext(interaction, snippet, options);
      const requester = { userId: interaction.user.id, guildId: interaction.guildId ?? undefined };
      const result = await this.renderer.render(
        { code: snippet.code, filename: snippet.filename, options: requestOptions(options, uploadLimit(interaction)), requester },
        {
          onQueued: (position) => reply.show(progressReply({ queued: position })),
          onRendering: () => reply.showUnlessQuick(progressReply(isRecording(options.media) ? 'recording' : 'rendering'), SLOW_RENDER_MS),
        },
      );
      payload = renderReply(result, context);
    } catch (error) {
      log.log(LOG_LEVELS[describeError(error).kind] ?? 'error', `render failed: ${errorChain(error)}`);
      payload = errorReply(error, context);
    }
    // Discord refused the reply (e.g. an upload limit): still tell the user something.
    if (!(await reply.finish(payload))) await reply.finish(errorReply(new Error('the reply could not be sent')));
  }

  async notify(interaction: AnswerableInteraction, text: string): Promise<void> {
    const content = userText(text);
    try {
      if (interaction.deferred || interaction.replied) await interaction.followUp({ content, flags: MessageFlags.Ephemeral });
      else await interaction.reply({ content, flags: MessageFlags.Ephemeral });
    } catch (error) {
      this.logger.warn(`could not answer interaction ${interaction.id}: ${errorChain(error)}`);
    }
  }

  async fail(interaction: BaseInteraction, error: unknown): Promise<void> {
    this.logger.debug(`answering interaction ${interaction.id} with an error: ${errorChain(error)}`);
    try {
      if (interaction.isAutocomplete()) {
        if (!interaction.responded) await interaction.respond([]);
      } else if (interaction.isRepliable()) {
        const payload = errorReply(error);
        // A deferred command shows the error in its reply; a component's message is never overwritten.
        if (!interaction.deferred && !interaction.replied) await interaction.reply({ ...payload, flags: MessageFlags.Ephemeral });
        else if (interaction.deferred && !interaction.isMessageComponent()) await interaction.editReply(payload);
        else await interaction.followUp({ ...payload, flags: MessageFlags.Ephemeral });
      }
    } catch (answerError) {
      this.logger.warn(`could not answer interaction ${interaction.id} with an error: ${errorChain(answerError)}`);
    }
  }

  private acknowledge(interaction: RenderableInteraction, options: RespondOptions): Promise<unknown> {
    if (options.updateMessage && interaction.isButton()) return interaction.update(progressReply('rendering'));
    return interaction.deferReply();
  }

  private replyContext(interaction: RenderableInteraction, snippet: Snippet, options: RespondOptions): ReplyContext {
    const code = stripFence(snippet.code);
    const named = snippet.filename && /\.(py|kv)$/i.test(snippet.filename) ? basename(snippet.filename) : null;
    return {
      snippet: { code, filename: named ?? (looksLikeKv(code) ? 'snippet.kv' : 'snippet.py') },
      authorId: interaction.user.id,
      size: options.size ? `${options.size.width}x${options.size.height}` : null,
      media: options.media,
      steps: options.steps,
      attachmentSizeLimit: uploadLimit(interaction),
      template: options.template,
    };
  }
}

/**
 * The edits of one reply in order: progress edits queue behind the acknowledgement, the final edit behind
 * them, and nothing after it; a "slow" edit is dropped when the result comes first.
 */
class ReplyEditor {
  private chain: Promise<boolean>;
  private finished = false;
  private progressShown = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly edit: (payload: ReplyPayload) => Promise<unknown>,
    acknowledged: Promise<boolean>,
    private readonly log: Logger,
  ) {
    this.chain = acknowledged;
  }

  show(payload: ReplyPayload): void {
    if (this.finished) return;
    this.cancelTimer();
    this.progressShown = true;
    this.chain = this.chain.then((ok) => ok && this.send(payload, 'progress').then(() => true));
  }

  /** Shows `payload` now if progress is already on screen (e.g. a queue position), else only after `delayMs`. */
  showUnlessQuick(payload: ReplyPayload, delayMs: number): void {
    if (this.progressShown) return this.show(payload);
    this.cancelTimer();
    this.timer = setTimeout(() => this.show(payload), delayMs);
  }

  /** Sends the final payload after any progress edit; false when it could not be delivered. */
  async finish(payload: ReplyPayload): Promise<boolean> {
    this.finished = true;
    this.cancelTimer();
    if (!(await this.chain)) return true; // never acknowledged: nothing can be edited, already logged
    return this.send(payload, 'final');
  }

  private async send(payload: ReplyPayload, what: string): Promise<boolean> {
    try {
      await this.edit(payload);
      return true;
    } catch (error) {
      this.log.warn(`could not send the ${what} reply: ${errorChain(error)}`);
      return false;
    }
  }

  private cancelTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
