const INVALID_FORM_BODY = 50035;

/**
 * An error answer in Discord's shape (`{ message, code, errors? }`). `breaksContract` marks answers caused by
 * the bot doing something Discord forbids (they are recorded as violations); plain lookups of things that
 * do not exist are not.
 */
export class DiscordHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly breaksContract = false,
    readonly details: string[] = [],
  ) {
    super(message);
  }

  body(): Record<string, unknown> {
    if (this.code !== INVALID_FORM_BODY || this.details.length === 0) return { message: this.message, code: this.code };
    // Discord nests field errors under `errors`; discord.js prints them under its message.
    const fieldErrors = this.details.map((message) => ({ code: 'SPEC_VIOLATION', message }));
    return { message: this.message, code: this.code, errors: { _errors: fieldErrors } };
  }
}

export const unknownMessage = () => new DiscordHttpError(404, 10008, 'Unknown Message');
export const unknownChannel = () => new DiscordHttpError(404, 10003, 'Unknown Channel');
export const unknownGuild = () => new DiscordHttpError(404, 10004, 'Unknown Guild');
export const unknownMember = () => new DiscordHttpError(404, 10007, 'Unknown Member');
export const unknownUser = () => new DiscordHttpError(404, 10013, 'Unknown User');
export const unknownWebhook = () => new DiscordHttpError(404, 10015, 'Unknown Webhook');
export const unknownApplicationCommand = () => new DiscordHttpError(404, 10063, 'Unknown application command');
export const unknownInteraction = (breaksContract = false) => new DiscordHttpError(404, 10062, 'Unknown interaction', breaksContract);
export const contractBroken = (status: number, code: number, message: string) => new DiscordHttpError(status, code, message, true);
