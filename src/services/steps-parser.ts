import { SCROLL_DIRECTIONS, type InteractionStep, type ScrollDirection, type StepTarget } from '../models/render-request.js';
import { ValidationError } from '../utils/errors.js';

/**
 * Interaction steps as users write them, one per line or separated by `;` (a slash command option has no
 * newlines), or a JSON array of such steps or of objects:
 *
 *   press "Log in"        press #submit        (click and tap work too)
 *   type #name "Alice"    wait 500             (ms; also 500ms or 1.5s)
 *   scroll #list down     (up, down, left, right, top, bottom)
 *
 * A target is `#id` (a KV id or widget.id) or a quoted text ("..." or '...'); `press` also takes bare text.
 * Blank lines and lines (or `;` parts) starting with `#` are ignored. Errors name the step and its line.
 */
export const STEPS_HELP =
  'Write one step per line (or separate them with ;): press "Log in", press #submit, type #name "Alice", wait 500, scroll #list down.';

export const STEP_LIMITS = { steps: 50, textChars: 500, stepWaitMs: 10_000 } as const;

const VERBS: Record<string, InteractionStep['action']> = {
  press: 'press', click: 'press', tap: 'press', type: 'type', wait: 'wait', sleep: 'wait', pause: 'wait', scroll: 'scroll',
};
const ID = /^#([A-Za-z_][\w-]*)/;
const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s)?$/i;

class StepSyntaxError extends Error {}

/** Parses steps from text or a JSON array; throws a ValidationError naming the step and line. */
export function parseSteps(input: string | readonly unknown[], limits: { totalWaitMs: number }): InteractionStep[] {
  const entries = typeof input === 'string' ? entriesFromText(input) : input.map((value, i) => ({ value, line: lineOf(value, i + 1) }));
  if (entries.length > STEP_LIMITS.steps) throw new ValidationError(`There are ${entries.length} steps; the limit is ${STEP_LIMITS.steps}.`);
  const steps = entries.map(({ value, line }, i) => {
    const index = i + 1;
    try {
      return typeof value === 'string' ? parseLine(value.trim(), index, line) : parseObject(value, index, line);
    } catch (error) {
      if (!(error instanceof StepSyntaxError)) throw error;
      const shown = typeof value === 'string' ? value.trim() : JSON.stringify(value);
      throw new ValidationError(`Step ${index} (line ${line}: ${clip(shown)}): ${error.message}`);
    }
  });
  const totalWaitMs = steps.reduce((sum, step) => sum + (step.action === 'wait' ? step.ms : 0), 0);
  if (totalWaitMs > limits.totalWaitMs) {
    throw new ValidationError(`The steps wait ${totalWaitMs} ms in all; the limit is ${limits.totalWaitMs} ms.`);
  }
  return steps;
}

/** The canonical one-line form of a step (what `parseLine` reads back). */
export function formatStep(step: InteractionStep): string {
  const target = (t: StepTarget) => ('id' in t ? `#${t.id}` : JSON.stringify(t.text));
  switch (step.action) {
    case 'press':
      return `press ${target(step.target)}`;
    case 'type':
      return `type ${target(step.target)} ${JSON.stringify(step.text)}`;
    case 'wait':
      return `wait ${step.ms}`;
    case 'scroll':
      return `scroll ${target(step.target)} ${step.direction}`;
  }
}

function entriesFromText(text: string): { value: unknown; line: number }[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (error) {
      throw new ValidationError(`The steps look like JSON but do not parse (${(error as Error).message}). ${STEPS_HELP}`);
    }
    if (!Array.isArray(parsed)) throw new ValidationError(`The steps must be a JSON array. ${STEPS_HELP}`);
    return parsed.map((value, i) => ({ value, line: i + 1 }));
  }
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .flatMap((value, i) => splitOutsideQuotes(value).map((part) => ({ value: part, line: i + 1 })))
    .filter(({ value }) => value.trim() && !value.trim().startsWith('#'));
}

/** Splits a line at each `;` outside quoted text. */
function splitOutsideQuotes(line: string): string[] {
  const parts: string[] = [];
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (quote) {
      if (char === '\\') i++;
      else if (char === quote) quote = null;
    } else if ((char === '"' || char === "'") && (i === 0 || /\s/.test(line[i - 1]))) {
      quote = char; // a quote opens only where a word starts: "It's" has none
    } else if (char === ';') {
      parts.push(line.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(line.slice(start));
  return parts;
}

function lineOf(value: unknown, fallback: number): number {
  const line = (value as { line?: unknown } | null)?.line;
  return typeof line === 'number' && Number.isInteger(line) && line > 0 ? line : fallback;
}

function parseLine(text: string, index: number, line: number): InteractionStep {
  const verbMatch = /^(\S+)\s*([\s\S]*)$/.exec(text);
  const verb = verbMatch?.[1].toLowerCase() ?? '';
  const action = VERBS[verb];
  if (!action) throw new StepSyntaxError(`"${verbMatch?.[1]}" is not a step. ${STEPS_HELP}`);
  const rest = verbMatch![2].trim();
  const base = { index, line, label: text };
  if (action === 'wait') return { ...base, action, ms: waitMs(rest) };
  const { target, remainder } = readTarget(rest, action === 'press');
  if (action === 'press') {
    if (remainder) throw new StepSyntaxError(`unexpected "${clip(remainder)}" after the target (quote text with spaces: press "Log in")`);
    return { ...base, action, target };
  }
  if (action === 'type') {
    if (!remainder) throw new StepSyntaxError('say what to type: type #name "Alice"');
    return { ...base, action, target, text: typedText(remainder) };
  }
  return { ...base, action, target, direction: direction(remainder) };
}

function parseObject(value: unknown, index: number, line: number): InteractionStep {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new StepSyntaxError('each step must be a string such as "press #submit" or an object such as {"action": "press", "target": "#submit"}');
  }
  const fields = value as Record<string, unknown>;
  const action = typeof fields.action === 'string' ? VERBS[fields.action.toLowerCase()] : undefined;
  if (!action) throw new StepSyntaxError(`"action" must be one of press, type, wait, scroll`);
  const label = typeof fields.label === 'string' && fields.label ? fields.label : null;
  const target = (): StepTarget => {
    const raw = fields.target;
    if (typeof raw === 'string') return readTarget(raw.trim(), true).target;
    if (raw && typeof raw === 'object') {
      const { id, text } = raw as { id?: unknown; text?: unknown };
      if (typeof id === 'string' && /^[A-Za-z_][\w-]*$/.test(id)) return { id };
      if (typeof text === 'string' && text) return { text: checkedText(text) };
    }
    throw new StepSyntaxError('"target" must be "#id", a widget\'s text, {"id": ...} or {"text": ...}');
  };
  let step: InteractionStep;
  if (action === 'wait') {
    step = { index, line, label: '', action, ms: waitMs(String(fields.ms ?? '')) };
  } else if (action === 'press') {
    step = { index, line, label: '', action, target: target() };
  } else if (action === 'type') {
    if (typeof fields.text !== 'string') throw new StepSyntaxError('"text" (what to type) must be a string');
    step = { index, line, label: '', action, target: target(), text: checkedText(fields.text) };
  } else {
    step = { index, line, label: '', action, target: target(), direction: direction(String(fields.direction ?? '')) };
  }
  step.label = label ?? formatStep(step);
  return step;
}

/** `#id`, a quoted string, or (when `bareText`) the rest of the line as text. */
function readTarget(text: string, bareText: boolean): { target: StepTarget; remainder: string } {
  const id = ID.exec(text);
  if (id) {
    const after = text.slice(id[0].length);
    if (after && !/^\s/.test(after)) throw new StepSyntaxError(`"#${id[1]}${after.split(/\s/)[0]}" is not an id (letters, digits, _ and - only)`);
    return { target: { id: id[1] }, remainder: after.trim() };
  }
  const quoted = readQuoted(text);
  if (quoted) return { target: { text: checkedText(quoted.value) }, remainder: quoted.rest.trim() };
  if (bareText && text) return { target: { text: checkedText(text) }, remainder: '' };
  throw new StepSyntaxError('name a widget: #id or "its text"');
}

function readQuoted(text: string): { value: string; rest: string } | null {
  const quote = text[0];
  if (quote !== '"' && quote !== "'") return null;
  for (let i = 1; i < text.length; i++) {
    if (text[i] === '\\') {
      i++;
      continue;
    }
    if (text[i] !== quote) continue;
    const body = text.slice(1, i);
    let value: string;
    try {
      value = JSON.parse(`"${quote === "'" ? body.replace(/\\'/g, "'").replace(/"/g, '\\"') : body}"`) as string;
    } catch {
      throw new StepSyntaxError(`the quoted text ${clip(text.slice(0, i + 1))} has an invalid escape`);
    }
    return { value, rest: text.slice(i + 1) };
  }
  throw new StepSyntaxError(`the quote ${quote} is never closed`);
}

function typedText(text: string): string {
  const quoted = readQuoted(text);
  if (!quoted) return checkedText(text);
  if (quoted.rest.trim()) throw new StepSyntaxError(`unexpected "${clip(quoted.rest.trim())}" after the text`);
  return checkedText(quoted.value);
}

function checkedText(text: string): string {
  if (text.length > STEP_LIMITS.textChars) throw new StepSyntaxError(`the text is ${text.length} characters; the limit is ${STEP_LIMITS.textChars}`);
  return text;
}

function waitMs(text: string): number {
  const match = DURATION.exec(text.trim());
  if (!match) throw new StepSyntaxError('say how long: wait 500 (milliseconds), wait 500ms or wait 1.5s');
  const ms = Math.round(Number(match[1]) * (match[2]?.toLowerCase() === 's' ? 1000 : 1));
  if (ms > STEP_LIMITS.stepWaitMs) throw new StepSyntaxError(`a wait may last at most ${STEP_LIMITS.stepWaitMs} ms`);
  return ms;
}

function direction(text: string): ScrollDirection {
  const value = text.trim().toLowerCase() as ScrollDirection;
  if (!SCROLL_DIRECTIONS.includes(value)) {
    throw new StepSyntaxError(`say which way: ${SCROLL_DIRECTIONS.join(', ')} (e.g. scroll #list down)`);
  }
  return value;
}

function clip(text: string, max = 60): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
