/**
 * The canonical text the exact cache keys on, and the first step of every
 * analysis: Unicode NFKC, one kind of quote and dash, no zero-width
 * characters, whitespace collapsed. Most prompts need no normalisation (NFKC
 * leaves them unchanged) and are canonicalised in one scan; the others take
 * the rules one by one. Both give the same text.
 */
import { codeUnitMemo } from './code-unit-memo';

/**
 * The text the exact cache keys on: NFKC, straight quotes, one kind of dash,
 * LF line ends, runs of spaces collapsed, trimmed. Case is kept: `Foo` and
 * `foo` can differ in code or in a case-sensitive id.
 */
export function canonicalText(text: string): string {
  return canonicalInOnePass(text) ?? canonicalByRules(text);
}

const SINGLE_QUOTES = /[\u2018\u2019\u201A\u201B\u2032\u0060\u00B4]/g;
const DOUBLE_QUOTES = /[\u201C\u201D\u201E\u201F\u2033\u00AB\u00BB]/g;
const DASHES = /[\u2010-\u2015\u2212\uFE58\uFE63]/g;
const ZERO_WIDTH = /[\u200B-\u200D\u2060\uFEFF]/g;

/** The definition of canonicalText: every rule in order, each a pass over the text. */
export function canonicalByRules(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/\r\n?/g, '\n')
    .replace(SINGLE_QUOTES, "'")
    .replace(DOUBLE_QUOTES, '"')
    .replace(DASHES, '-')
    .replace(ZERO_WIDTH, '')
    .replace(/[^\S\n]+/g, ' ')
    .replace(/ ?\n ?/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/**
 * What canonicalByRules does to one UTF-16 code unit of a text that NFKC
 * leaves alone (see charAction). The order matters to canonicalInOnePass:
 * the replaced and dropped characters come before the whitespace.
 */
const Action = { Unknown: 0, Keep: 1, Apostrophe: 2, Quote: 3, Dash: 4, Drop: 5, Space: 6, LineFeed: 7, CarriageReturn: 8, NotNfkcSafe: 9 } as const;
type Action = (typeof Action)[keyof typeof Action];

/**
 * A code unit's action. It is NotNfkcSafe unless NFKC leaves any text made of
 * such code units unchanged: the character is its own NFKC form and can
 * never combine with the character before it (not a mark, not a Hangul
 * vowel or final jamo; those are the characters Unicode's NFKC quick check
 * answers "maybe" for), and it is not half of a surrogate pair. Then no
 * normalisation is needed and canonicalInOnePass applies the other rules.
 */
const charAction = codeUnitMemo(classifyChar);

const MARK = /\p{M}/u;

function classifyChar(code: number): Action {
  if ((code >= 0xd800 && code <= 0xdfff) || (code >= 0x1100 && code <= 0x11ff)) return Action.NotNfkcSafe;
  const ch = String.fromCharCode(code);
  if (MARK.test(ch) || ch.normalize('NFKC') !== ch) return Action.NotNfkcSafe;
  if (code === 0x0a) return Action.LineFeed;
  if (code === 0x0d) return Action.CarriageReturn;
  if (matchesOne(SINGLE_QUOTES, ch)) return Action.Apostrophe;
  if (matchesOne(DOUBLE_QUOTES, ch)) return Action.Quote;
  if (matchesOne(DASHES, ch)) return Action.Dash;
  if (matchesOne(ZERO_WIDTH, ch)) return Action.Drop;
  if (/\s/.test(ch)) return Action.Space;
  return Action.Keep;
}

/** `pattern` (global) matches the one-character string `ch`. */
function matchesOne(pattern: RegExp, ch: string): boolean {
  pattern.lastIndex = 0;
  return pattern.test(ch);
}

const REPLACEMENT: Partial<Record<Action, string>> = { [Action.Apostrophe]: "'", [Action.Quote]: '"', [Action.Dash]: '-', [Action.Drop]: '' };

/**
 * Where canonicalInOnePass must look: any character but printable ASCII
 * (the backquote included), and a space unless it is alone between two
 * printable ASCII characters. A text with none is canonical as it is; the
 * stretches between two are copied as they are.
 */
const STOPS = /[^\x21-\x5f\x61-\x7e ]|(?<![\x21-\x5f\x61-\x7e]) | (?![\x21-\x5f\x61-\x7e])/g;

/**
 * canonicalByRules in one scan, for a text NFKC leaves alone (every code unit
 * NFKC-safe, see charAction); null for any other text. Quotes and dashes are
 * replaced, zero-width characters dropped, and each run of whitespace (zero-
 * width characters inside it ignored) becomes what the whitespace rules make
 * of it: nothing at either end, else two line breaks if it holds two or more
 * (`\r\n` is one), one if it holds one, a space if none. Only the STOPS are
 * looked at; an unchanged text is returned as it is.
 */
function canonicalInOnePass(text: string): string | null {
  let out = '';
  /** Where the stretch not yet copied to `out` starts. */
  let from = 0;
  /** Something other than whitespace was seen: a run of whitespace here is not leading. */
  let started = false;
  let pos = 0;
  for (;;) {
    STOPS.lastIndex = pos;
    const stop = STOPS.exec(text);
    if (stop === null) break;
    const i = stop.index;
    // Between two stops: printable ASCII, single spaces inside it.
    if (i > pos) started = true;
    const action = charAction(text.charCodeAt(i));
    if (action === Action.NotNfkcSafe) return null;
    if (action === Action.Keep) {
      started = true;
      pos = i + 1;
    } else if (action < Action.Space) {
      // A quote, a dash or a zero-width character.
      if (action !== Action.Drop) started = true;
      out += text.slice(from, i) + REPLACEMENT[action]!;
      from = pos = i + 1;
    } else {
      const end = whitespaceRunEnd(text, i);
      if (end < 0) return null;
      const replacement = !started || end === text.length ? '' : whitespaceReplacement(countLineBreaks(text, i, end));
      if (end - i !== replacement.length || !text.startsWith(replacement, i)) {
        out += text.slice(from, i) + replacement;
        from = end;
      }
      pos = end;
    }
  }
  return from === 0 ? text : out + text.slice(from);
}

/** The end of the run of whitespace and zero-width characters at `start`; -1 when it ends at a character that is not NFKC-safe. */
function whitespaceRunEnd(text: string, start: number): number {
  let end = start;
  while (end < text.length) {
    const action = charAction(text.charCodeAt(end));
    if (action === Action.NotNfkcSafe) return -1;
    if (action < Action.Drop) break;
    end++;
  }
  return end;
}

/** Line breaks in a run of whitespace: `\n`, `\r\n` and a lone `\r` each count one (`\r\n?` -> `\n` runs first). */
function countLineBreaks(text: string, start: number, end: number): number {
  let count = 0;
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x0a) count++;
    else if (code === 0x0d) {
      count++;
      if (i + 1 < end && text.charCodeAt(i + 1) === 0x0a) i++;
    }
  }
  return count;
}

function whitespaceReplacement(lineBreaks: number): string {
  return lineBreaks === 0 ? ' ' : lineBreaks === 1 ? '\n' : '\n\n';
}
