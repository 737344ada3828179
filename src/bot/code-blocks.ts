import { looksLikeKivy } from '../services/code-processor.js';

export interface CodeBlock {
  /** The fence's language tag, lower case ('' when none). */
  language: string;
  code: string;
  /** A file name that tells the engine Python from KV when the tag does. */
  filename?: string;
}

const FENCED = /```([\w+-]*)[ \t]*\n([\s\S]*?)```/g;
const FILENAMES: Record<string, string> = { py: 'snippet.py', python: 'snippet.py', kv: 'snippet.kv' };

export function findCodeBlocks(text: string): CodeBlock[] {
  return [...text.matchAll(FENCED)].map(([, tag, code]) => {
    const language = tag.toLowerCase();
    return { language, code, filename: FILENAMES[language] };
  });
}

/** The block the message listener offers to render: tagged py/python/kv and looking like Kivy. */
export function findKivyBlock(text: string): CodeBlock | undefined {
  return findCodeBlocks(text).find((block) => block.filename && looksLikeKivy(block.code));
}

/** The block "Render Kivy" renders: the first py/python/kv one, else the first of any language. */
export function pickCodeBlock(text: string): CodeBlock | undefined {
  const blocks = findCodeBlocks(text);
  return blocks.find((block) => block.filename) ?? blocks[0];
}
