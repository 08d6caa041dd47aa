// Mutations of configuration text (zone files, Corefiles): tokens lost or repeated, stray characters, braces
// and parentheses that do not balance, numbers far out of range, quotes and escapes cut short, lines of other
// files spliced in, and includes/imports that nest (a file that includes itself).
import type { Prng } from './prng.js';

export interface TextMutationContext {
  /** Other seeds, for splicing. */
  corpus: readonly string[];
  /** Lines that include a file (`$INCLUDE inc.db`, `import snippets.conf`) or the file itself. */
  includeLines: readonly string[];
}

type TextMutation = (text: string, rng: Prng, context: TextMutationContext) => string;

const STRAY = ['{', '}', '(', ')', '"', '\\', ';', '#', '$', '@', '.', '*', ':', '\t', '\n', '\r', '\0', '\u00e9', '\u{1F600}', '\uFEFF', ' ', '\\999', '\\0', '{$', '{env.'];
const HUGE_NUMBERS = ['99999999999999999999999', '4294967296', '2147483648', '65536', '-1', '0', '1e400', 'NaN', '0x10', '1.5', '1w2d3h4m5s', '9999999999w', '00000000000000000000001'];

function tokens(text: string): Array<{ start: number; end: number }> {
  const out: Array<{ start: number; end: number }> = [];
  const pattern = /[^\s]+/g;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) out.push({ start: match.index, end: match.index + match[0].length });
  return out;
}

const deleteToken: TextMutation = (text, rng) => {
  const all = tokens(text);
  if (all.length === 0) return text;
  const { start, end } = rng.pick(all);
  return text.slice(0, start) + text.slice(end);
};

const duplicateToken: TextMutation = (text, rng) => {
  const all = tokens(text);
  if (all.length === 0) return text;
  const { start, end } = rng.pick(all);
  const times = rng.chance(0.1) ? rng.range(50, 400) : rng.range(1, 3);
  return text.slice(0, end) + (' ' + text.slice(start, end)).repeat(times) + text.slice(end);
};

const strayCharacter: TextMutation = (text, rng) => {
  const at = rng.int(text.length + 1);
  const inserted = rng.chance(0.7) ? rng.pick(STRAY) : String.fromCharCode(rng.int(0x80));
  return text.slice(0, at) + inserted + text.slice(at);
};

const deleteCharacter: TextMutation = (text, rng) => {
  if (text.length === 0) return text;
  const at = rng.int(text.length);
  return text.slice(0, at) + text.slice(at + rng.range(1, 4));
};

/** Removes one brace or parenthesis, or adds one: blocks and multi-line records that never close. */
const braceImbalance: TextMutation = (text, rng) => {
  const positions: number[] = [];
  for (let i = 0; i < text.length; i++) if ('{}()'.includes(text[i])) positions.push(i);
  if (positions.length > 0 && rng.chance(0.5)) {
    const at = rng.pick(positions);
    return text.slice(0, at) + text.slice(at + 1);
  }
  const at = rng.int(text.length + 1);
  return text.slice(0, at) + rng.pick(['{', '}', '(', ')', '{\n', '\n}\n', '(\n', '{'.repeat(rng.range(2, 200))]) + text.slice(at);
};

const hugeNumber: TextMutation = (text, rng) => {
  const numbers: Array<{ start: number; end: number }> = [];
  const pattern = /\d+[a-z]*/g;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) numbers.push({ start: match.index, end: match.index + match[0].length });
  if (numbers.length === 0) return text;
  const { start, end } = rng.pick(numbers);
  return text.slice(0, start) + rng.pick(HUGE_NUMBERS) + text.slice(end);
};

const spliceLines: TextMutation = (text, rng, context) => {
  const lines = text.split('\n');
  const other = rng.pick(context.corpus).split('\n');
  const from = rng.int(other.length);
  const taken = other.slice(from, from + rng.range(1, 6));
  const at = rng.int(lines.length + 1);
  lines.splice(at, 0, ...taken);
  return lines.join('\n');
};

const dropOrRepeatLine: TextMutation = (text, rng) => {
  const lines = text.split('\n');
  const at = rng.int(lines.length);
  if (rng.chance(0.5)) lines.splice(at, 1);
  else lines.splice(at, 0, ...Array.from({ length: rng.range(1, 3) }, () => lines[at]));
  return lines.join('\n');
};

const truncateText: TextMutation = (text, rng) => text.slice(0, rng.int(text.length + 1));

/** An include of another file, or of this very file (nesting until the depth limit). */
const nestInclude: TextMutation = (text, rng, context) => {
  const lines = text.split('\n');
  lines.splice(rng.int(lines.length + 1), 0, rng.pick(context.includeLines));
  return lines.join('\n');
};

const longToken: TextMutation = (text, rng) => {
  const at = rng.int(text.length + 1);
  const unit = rng.pick(['a', 'a.', '\\065', '0', 'x'.repeat(63) + '.', ' ']);
  return text.slice(0, at) + unit.repeat(rng.range(64, 3000)) + text.slice(at);
};

const TEXT_MUTATIONS: readonly TextMutation[] = [
  deleteToken,
  duplicateToken,
  strayCharacter,
  deleteCharacter,
  braceImbalance,
  hugeNumber,
  spliceLines,
  dropOrRepeatLine,
  truncateText,
  nestInclude,
  longToken,
];

/**
 * Mutated text stays under this size: stacked repeats of long tokens otherwise grow a file to megabytes, whose
 * parse is slow in proportion (not a hang), while real zone files here and Corefiles are a few kilobytes.
 */
export const MAX_MUTATED_TEXT = 32 * 1024;

/** One to five stacked mutations of a seed picked from the corpus; a mutation past MAX_MUTATED_TEXT is undone. */
export function mutateText(corpus: readonly string[], rng: Prng, includeLines: readonly string[]): string {
  const context = { corpus, includeLines };
  let out = rng.pick(corpus);
  const rounds = rng.range(1, 5);
  for (let i = 0; i < rounds; i++) {
    const mutated = rng.pick(TEXT_MUTATIONS)(out, rng, context);
    if (mutated.length <= MAX_MUTATED_TEXT) out = mutated;
  }
  return out;
}
