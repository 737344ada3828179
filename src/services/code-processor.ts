import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { injectable } from 'tsyringe';
import type { CodeMode, ProcessedCode, RenderOptions } from '../models/render-request.js';
import { TEMPLATES_DIR } from '../utils/paths.js';

export interface ICodeProcessor {
  /**
   * Normalises the text, decides Python or KV, and attaches the harness that will show it: the
   * interaction and recording scripts only when `options` has steps or records (animation, tour).
   */
  process(code: string, filename?: string, options?: Pick<RenderOptions, 'mode' | 'steps'>): ProcessedCode;
}

/** Harness scripts, in the order the container executes them (see src/templates). */
const HARNESS_FILES = ['performance_wrapper.py', 'animation_recorder.py', 'interaction_script.py', 'kivy_script_template.py'];
/** Sent only to renders that record (animation_recorder) or have steps (interaction_script). */
const RECORDING_ONLY = 'animation_recorder';
const INTERACTION_ONLY = 'interaction_script';

const PYTHON_STATEMENT = /^\s*(import|from|def|class|if|for|while|with|try|print|async|@)\b|^\s*\w+\s*=[^=]|^\s*\w+\s*\(/;
const KV_RULE = /^\s*(<[\w@+,\s-]+>|\[[\w@+,\s-]+\]|[A-Z]\w*|#:\w+.*)\s*:?\s*$/;
const FENCE = /^\s*```[\w+-]*[ \t]*\n([\s\S]*?)\n?```\s*$/;

/** True when `code` reads like Kivy language rather than Python. */
export function looksLikeKv(code: string): boolean {
  const lines = code.split('\n').filter((line) => line.trim() && !line.trim().startsWith('#') || /^\s*#:/.test(line));
  if (lines.length === 0) return false;
  if (lines.some((line) => /^\s*#:kivy\b/.test(line))) return true;
  const topLevel = lines.filter((line) => !/^\s/.test(line));
  if (topLevel.some((line) => PYTHON_STATEMENT.test(line) && !KV_RULE.test(line))) return false;
  return topLevel.some((line) => KV_RULE.test(line) && line.trimEnd().endsWith(':'));
}

/** True when a code block is worth offering a render for (the message listener, the context menu). */
export function looksLikeKivy(code: string): boolean {
  return /\b(kivy|kivymd)\b/.test(code) || looksLikeKv(code);
}

/** Removes one surrounding ``` fence, if the whole input is a single fenced block. */
export function stripFence(code: string): string {
  const match = FENCE.exec(code);
  return match ? match[1] : code;
}

@injectable()
export class CodeProcessor implements ICodeProcessor {
  private readonly harness = HARNESS_FILES.map((name) => ({
    name: name.replace(/\.py$/, ''),
    source: readFileSync(join(TEMPLATES_DIR, name), 'utf8'),
  }));

  process(code: string, filename?: string, options: Pick<RenderOptions, 'mode' | 'steps'> = {}): ProcessedCode {
    // No edit may shift lines: numbers in errors count from the first line of the code (inside a fence).
    const source = stripFence(code.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n')).replace(/\s+$/, '') + '\n';
    const mode = this.detectMode(source, filename);
    const records = options.mode !== undefined;
    const interacts = records || Boolean(options.steps?.length);
    const harness = this.harness.filter(({ name }) => (name === RECORDING_ONLY ? records : name === INTERACTION_ONLY ? interacts : true));
    return { mode, source, filename: mode === 'kv' ? 'main.kv' : 'main.py', harness };
  }

  private detectMode(source: string, filename?: string): CodeMode {
    if (filename?.toLowerCase().endsWith('.kv')) return 'kv';
    if (filename?.toLowerCase().endsWith('.py')) return 'python';
    return looksLikeKv(source) ? 'kv' : 'python';
  }
}
