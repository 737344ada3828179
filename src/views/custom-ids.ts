/**
 * Custom ids of the bot's buttons and modal: everything a later click needs travels in the id (at most 100
 * characters), so no state is kept between an answer and the click on it.
 */
export type SourceExtension = 'py' | 'kv';

export type CustomId =
  /** The code editor modal; `size` and `extension` carry over from the render being edited. */
  | { kind: 'prompt'; size: string | null; extension: SourceExtension | null }
  /** "Edit & re-render" / "Open in editor": the code is the message's source attachment. */
  | { kind: 'edit'; size: string | null }
  | { kind: 'delete'; authorId: string }
  /** The message listener's Render button. */
  | { kind: 'render-message'; authorId: string; expiresAt: number };

const PREFIX = 'kivy';

export const CustomIds = {
  prompt: (size: string | null = null, extension: SourceExtension | null = null) => `${PREFIX}:prompt:${size ?? ''}:${extension ?? ''}`,
  edit: (size: string | null = null) => `${PREFIX}:edit:${size ?? ''}`,
  delete: (authorId: string) => `${PREFIX}:delete:${authorId}`,
  renderMessage: (authorId: string, expiresAt: number) => `${PREFIX}:render-message:${authorId}:${expiresAt}`,
};

/** The custom id's meaning, or null for ids this bot did not make. */
export function parseCustomId(customId: string): CustomId | null {
  const [prefix, kind, ...rest] = customId.split(':');
  if (prefix !== PREFIX) return null;
  const orNull = (value: string | undefined) => value || null;
  switch (kind) {
    case 'prompt': {
      const extension = rest[1] === 'py' || rest[1] === 'kv' ? rest[1] : null;
      return { kind, size: orNull(rest[0]), extension };
    }
    case 'edit':
      return { kind, size: orNull(rest[0]) };
    case 'delete':
      return rest[0] ? { kind, authorId: rest[0] } : null;
    case 'render-message': {
      const expiresAt = Number(rest[1]);
      return rest[0] && Number.isFinite(expiresAt) ? { kind, authorId: rest[0], expiresAt } : null;
    }
    default:
      return null;
  }
}
