/**
 * Defence in depth: refuse snippets that reach for process, network or native-code facilities.
 * The container (no network, pids limit, no capabilities) is the real boundary; this gives a
 * friendly, early answer and keeps obvious abuse from costing a container.
 */
const DANGEROUS: { pattern: RegExp; what: string; why: string }[] = [
  { pattern: /^\s*(?:import|from)\s+(subprocess|multiprocessing|pty)\b/m, what: 'the $1 module', why: 'renders run one process, with no shell.' },
  { pattern: /^\s*(?:import|from)\s+(socket|ssl|urllib|http\.client|requests|asyncio\.subprocess)\b/m, what: 'the $1 module', why: 'renders have no network.' },
  { pattern: /^\s*(?:import|from)\s+(ctypes|cffi)\b/m, what: 'the $1 module', why: 'native code is not allowed.' },
  { pattern: /\bos\s*\.\s*(fork|forkpty|system|popen|exec[lv]p?e?|spawn[lv]p?e?|posix_spawnp?|kill|killpg)\s*\(/, what: 'os.$1()', why: 'renders run one process, with no shell.' },
  { pattern: /\b__import__\s*\(\s*['"](subprocess|socket|ctypes|multiprocessing|pty)['"]/, what: 'the $1 module', why: 'it is not available to renders.' },
];

export interface DangerousUse {
  line: number;
  what: string;
  why: string;
}

export function findDangerousUse(code: string): DangerousUse | null {
  for (const rule of DANGEROUS) {
    const match = rule.pattern.exec(code);
    if (match) {
      return {
        line: code.slice(0, match.index + match[0].length - match[0].trimStart().length).split('\n').length,
        what: rule.what.replace('$1', match[1]),
        why: rule.why,
      };
    }
  }
  return null;
}

/** Neutralises Discord mentions (@everyone, @here, <@id>, <@&role>) in text that echoes user input. */
export function neutralizeMentions(text: string): string {
  return text.replace(/@(everyone|here)/g, '@\u200b$1').replace(/<@([!&]?\d+)>/g, '<@\u200b$1>');
}
