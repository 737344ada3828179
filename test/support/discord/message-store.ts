import {
  ComponentType,
  MessageFlags,
  MessageType,
  type APIAttachment,
  type APIEmbed,
  type APIMessage,
  type APIMessageTopLevelComponent,
  type APIUser,
} from 'discord.js';
import { contractBroken, DiscordHttpError, unknownMessage } from './errors.js';
import { withoutNulls } from './json.js';
import type { UploadedFile } from './request-body.js';
import { nextSnowflake } from './snowflake.js';

/** A message body as the bot sends it (create, edit, interaction callback `data`), already spec-checked. */
export interface OutgoingMessage {
  content?: string | null;
  embeds?: Record<string, unknown>[] | null;
  components?: Record<string, unknown>[] | null;
  attachments?: { id: string; filename?: string | null; description?: string | null }[] | null;
  flags?: number | null;
  tts?: boolean | null;
  nonce?: string | number | null;
  message_reference?: { message_id?: string | null } | null;
  sticker_ids?: string[] | null;
  poll?: unknown;
}

/** An attachment as the user sees it, bytes included. */
export interface VisibleAttachment extends APIAttachment {
  bytes: Buffer;
}

/** A message as the user sees it now: Discord's message object with the attachments' bytes. */
export interface VisibleMessage extends Omit<APIMessage, 'attachments'> {
  attachments: VisibleAttachment[];
}

export interface NewMessage {
  channelId: string;
  author: APIUser;
  payload: OutgoingMessage;
  uploads: UploadedFile[];
  type?: MessageType;
  /** Fields Discord adds for webhook/interaction messages (`webhook_id`, `interaction_metadata`, ...). */
  extra?: Partial<APIMessage>;
}

interface StoredFile {
  attachment: APIAttachment;
  bytes: Buffer;
}

interface StoredMessage {
  message: APIMessage;
  deleted: boolean;
}

const MAX_BOT_CONTENT_LENGTH = 2000;

/** Flags a sender may set; EPHEMERAL only on interaction responses (the caller checks that). */
const SETTABLE_FLAGS = MessageFlags.SuppressEmbeds | MessageFlags.SuppressNotifications | MessageFlags.Ephemeral | MessageFlags.IsComponentsV2;

/**
 * Every message and uploaded file the stand-in knows, with Discord's create/edit semantics: `attachments`
 * on an edit lists what remains (existing ids kept, `"<n>"` meaning the new `files[n]`), `attachment://name`
 * in embeds resolves to the uploaded file, a message may not end up empty.
 */
export class MessageStore {
  private readonly messages = new Map<string, StoredMessage>();
  private readonly files = new Map<string, StoredFile>();

  constructor(
    private readonly baseUrl: string,
    private readonly resolveUser: (id: string) => APIUser | undefined,
  ) {}

  create({ channelId, author, payload, uploads, type = MessageType.Default, extra = {} }: NewMessage): APIMessage {
    const referenced = payload.message_reference?.message_id ? this.get(payload.message_reference.message_id) : undefined;
    if (payload.message_reference?.message_id && !referenced) {
      throw contractBroken(400, 50035, 'Invalid Form Body: message_reference: Unknown message');
    }
    const message: APIMessage = {
      id: nextSnowflake(),
      channel_id: channelId,
      author,
      content: '',
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: payload.tts ?? false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      attachments: [],
      embeds: [],
      components: [],
      pinned: false,
      type: referenced ? MessageType.Reply : type,
      flags: (payload.flags ?? 0) & SETTABLE_FLAGS,
      ...(payload.nonce != null ? { nonce: payload.nonce } : {}),
      ...(referenced
        ? { message_reference: { type: 0, message_id: referenced.id, channel_id: referenced.channel_id }, referenced_message: referenced }
        : {}),
      ...extra,
    };
    this.apply(message, payload, uploads, []);
    this.messages.set(message.id, { message, deleted: false });
    return structuredClone(message);
  }

  edit(id: string, payload: OutgoingMessage, uploads: UploadedFile[]): APIMessage {
    const stored = this.messages.get(id);
    if (!stored || stored.deleted) throw unknownMessage();
    const message = structuredClone(stored.message);
    const editableFlags = MessageFlags.SuppressEmbeds | MessageFlags.IsComponentsV2;
    if (payload.flags != null) message.flags = ((message.flags ?? 0) & ~editableFlags) | (payload.flags & editableFlags);
    message.flags = (message.flags ?? 0) & ~MessageFlags.Loading;
    message.edited_timestamp = new Date().toISOString();
    this.apply(message, payload, uploads, stored.message.attachments);
    stored.message = message;
    return structuredClone(message);
  }

  delete(id: string): APIMessage {
    const stored = this.messages.get(id);
    if (!stored || stored.deleted) throw unknownMessage();
    stored.deleted = true;
    return structuredClone(stored.message);
  }

  get(id: string): APIMessage | undefined {
    const stored = this.messages.get(id);
    return stored && !stored.deleted ? structuredClone(stored.message) : undefined;
  }

  /** Messages everyone in the channel can see, oldest first (no ephemeral or deleted ones). */
  inChannel(channelId: string): APIMessage[] {
    return [...this.messages.values()]
      .filter(({ message, deleted }) => !deleted && message.channel_id === channelId && !isEphemeral(message))
      .map(({ message }) => structuredClone(message));
  }

  /** Stores bytes under a CDN-like URL served by the stand-in. */
  storeFile(channelId: string, file: Pick<UploadedFile, 'name' | 'contentType' | 'bytes' | 'width' | 'height'>, ephemeral = false): APIAttachment {
    const id = nextSnowflake();
    const path = `attachments/${channelId}/${id}/${encodeURIComponent(file.name)}`;
    const attachment: APIAttachment = {
      id,
      filename: file.name,
      size: file.bytes.length,
      url: `${this.baseUrl}/${path}`,
      proxy_url: `${this.baseUrl}/media/${path}`,
      content_type: contentTypeOf(file),
      ...(file.width !== undefined ? { width: file.width, height: file.height } : {}),
      ...(ephemeral ? { ephemeral: true } : {}),
    };
    this.files.set(id, { attachment, bytes: file.bytes });
    return structuredClone(attachment);
  }

  fileBytes(attachmentId: string): { attachment: APIAttachment; bytes: Buffer } | undefined {
    return this.files.get(attachmentId);
  }

  visible(message: APIMessage): VisibleMessage {
    return {
      ...message,
      attachments: message.attachments.map((attachment) => ({
        ...attachment,
        bytes: this.files.get(attachment.id)?.bytes ?? Buffer.alloc(0),
      })),
    };
  }

  private apply(message: APIMessage, payload: OutgoingMessage, uploads: UploadedFile[], existing: APIAttachment[]): void {
    if ('content' in payload) message.content = payload.content ?? '';
    message.attachments = this.resolveAttachments(message.channel_id, payload, uploads, existing, isEphemeral(message));
    if ('embeds' in payload) message.embeds = (payload.embeds ?? []).map((embed) => this.embedResponse(embed, message.attachments));
    if ('components' in payload) message.components = componentsAsReturned(payload.components ?? []) as unknown as APIMessageTopLevelComponent[];
    message.mentions = [...message.content.matchAll(/<@!?(\d+)>/g)]
      .map(([, id]) => this.resolveUser(id))
      .filter((user): user is APIUser => user !== undefined);
    message.mention_roles = [...message.content.matchAll(/<@&(\d+)>/g)].map(([, id]) => id);
    assertSendable(message, payload);
  }

  private resolveAttachments(
    channelId: string,
    payload: OutgoingMessage,
    uploads: UploadedFile[],
    existing: APIAttachment[],
    ephemeral: boolean,
  ): APIAttachment[] {
    const uploadedByIndex = new Map(
      uploads.map((upload) => [/^files\[(\d+)\]$/.exec(upload.field)?.[1] ?? upload.field, upload] as const),
    );
    const store = (upload: UploadedFile, filename?: string | null, description?: string | null) => ({
      ...this.storeFile(channelId, { ...upload, name: filename ?? upload.name }, ephemeral),
      ...(description ? { description } : {}),
    });
    if (!payload.attachments) return [...existing, ...uploads.map((upload) => store(upload))];
    return payload.attachments.map((entry, index) => {
      const kept = existing.find((attachment) => attachment.id === entry.id);
      if (kept) return kept;
      const upload = uploadedByIndex.get(entry.id);
      if (!upload) {
        const why = `attachments[${index}].id ${entry.id} is neither an existing attachment nor an uploaded files[n]`;
        throw contractBroken(400, 50035, `Invalid Form Body: ${why}`);
      }
      return store(upload, entry.filename, entry.description);
    });
  }

  /** The embed as Discord returns it: `type: rich`, nulls dropped, `inline` filled, `attachment://` images resolved. */
  private embedResponse(embed: Record<string, unknown>, attachments: APIAttachment[]): APIEmbed {
    const response = { type: 'rich', ...withoutNulls(embed) } as Record<string, unknown>;
    if (Array.isArray(response.fields)) response.fields = response.fields.map((field) => ({ inline: false, ...field }));
    for (const key of ['image', 'thumbnail'] as const) {
      const media = response[key] as { url?: string } | undefined;
      if (!media?.url) continue;
      const attachment = media.url.startsWith('attachment://')
        ? attachments.find((candidate) => candidate.filename === media.url!.slice('attachment://'.length))
        : undefined;
      response[key] = attachment
        ? {
            url: attachment.url,
            proxy_url: attachment.proxy_url,
            content_type: attachment.content_type,
            flags: 0,
            ...(attachment.width != null ? { width: attachment.width, height: attachment.height } : {}),
          }
        : { ...media, proxy_url: media.url };
    }
    return response as APIEmbed;
  }
}

export function isEphemeral(message: APIMessage): boolean {
  return ((message.flags ?? 0) & MessageFlags.Ephemeral) !== 0;
}

/** The "<bot> is thinking..." placeholder of a deferred reply. */
export function isLoading(message: APIMessage): boolean {
  return ((message.flags ?? 0) & MessageFlags.Loading) !== 0;
}

const SELECT_DEFAULTS = { min_values: 1, max_values: 1 };

/** Fields Discord fills in when it returns components the sender left them out of. */
const COMPONENT_DEFAULTS: Partial<Record<ComponentType, Record<string, unknown>>> = {
  [ComponentType.StringSelect]: SELECT_DEFAULTS,
  [ComponentType.UserSelect]: SELECT_DEFAULTS,
  [ComponentType.RoleSelect]: SELECT_DEFAULTS,
  [ComponentType.MentionableSelect]: SELECT_DEFAULTS,
  [ComponentType.ChannelSelect]: SELECT_DEFAULTS,
  [ComponentType.Container]: { accent_color: null, spoiler: false },
  [ComponentType.Separator]: { spacing: 1, divider: true },
  [ComponentType.Thumbnail]: { description: null, spoiler: false },
};

/** Components as Discord returns them: numbered depth first from 1 where the sender gave no id, defaults filled. */
export function componentsAsReturned(components: readonly Record<string, unknown>[]): Record<string, unknown>[] {
  let next = 1;
  const number = (component: Record<string, unknown>): Record<string, unknown> => {
    const defaults = COMPONENT_DEFAULTS[component.type as ComponentType] ?? {};
    const numbered: Record<string, unknown> = { ...defaults, ...withoutNulls(component), id: component.id ?? next };
    next = Math.max(next, Number(numbered.id)) + 1;
    for (const key of ['components', 'items'] as const) {
      if (Array.isArray(numbered[key])) numbered[key] = (numbered[key] as Record<string, unknown>[]).map(number);
    }
    for (const key of ['component', 'accessory'] as const) {
      if (numbered[key]) numbered[key] = number(numbered[key] as Record<string, unknown>);
    }
    return numbered;
  };
  return components.map(number);
}

/**
 * Rules Discord enforces beyond the schema: bots write at most 2000 characters (the spec allows the 4000 of
 * Nitro users), a message shows something, and components v2 exclude content and embeds.
 */
function assertSendable(message: APIMessage, payload: OutgoingMessage): void {
  if (message.author.bot && message.content.length > MAX_BOT_CONTENT_LENGTH) {
    throw new DiscordHttpError(400, 50035, 'Invalid Form Body', true, [
      `content: Must be ${MAX_BOT_CONTENT_LENGTH} or fewer in length (got ${message.content.length})`,
    ]);
  }
  const componentsV2 = ((message.flags ?? 0) & MessageFlags.IsComponentsV2) !== 0;
  if (componentsV2 && (message.content !== '' || message.embeds.length > 0)) {
    throw contractBroken(400, 50035, 'Invalid Form Body: content and embeds cannot be used with the IS_COMPONENTS_V2 flag');
  }
  const empty =
    message.content === '' &&
    message.embeds.length === 0 &&
    message.attachments.length === 0 &&
    (message.components?.length ?? 0) === 0 &&
    !payload.sticker_ids?.length &&
    !payload.poll;
  if (empty && !isLoading(message)) throw contractBroken(400, 50006, 'Cannot send an empty message');
}

const CONTENT_TYPES_BY_EXTENSION: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  txt: 'text/plain; charset=utf-8',
  kv: 'text/plain; charset=utf-8',
  py: 'text/x-python; charset=utf-8',
};

function contentTypeOf(file: Pick<UploadedFile, 'name' | 'contentType'>): string {
  if (file.contentType && file.contentType !== 'application/octet-stream') return file.contentType;
  const extension = file.name.split('.').pop()?.toLowerCase();
  return CONTENT_TYPES_BY_EXTENSION[extension ?? ''] ?? 'application/octet-stream';
}
