/**
 * Text normalisation and tokenisation for the response cache: Unicode NFKC,
 * quotes and dashes, whitespace, contractions, politeness and periphrases,
 * then a tokeniser that keeps numbers, ids, dates and times whole, and a
 * Porter stemmer with synonym folding for the words.
 */
import {
  KEPT_FUNCTION_WORDS,
  NEGATION_CUES,
  PHRASE_REWRITES,
  SPELLING_VARIANTS,
  STOP_WORDS,
  SYNONYM_GROUPS,
  CURRENCIES,
  UNITS,
  SCALE_WORDS,
  ORDINAL_SUFFIXES,
} from './lexicon';

/**
 * The text the exact cache keys on: NFKC, straight quotes, one kind of dash,
 * LF line ends, runs of spaces collapsed, trimmed. Case is kept: `Foo` and
 * `foo` can differ in code or in a case-sensitive id.
 */
export function canonicalText(text: string): string {
  if (!NOT_CANONICAL.test(text)) return text;
  return text
    .normalize('NFKC')
    .replace(/\r\n?/g, '\n')
    .replace(/[\u2018\u2019\u201A\u201B\u2032\u0060\u00B4]/g, "'")
    .replace(/[\u201C\u201D\u201E\u201F\u2033\u00AB\u00BB]/g, '"')
    .replace(/[\u2010-\u2015\u2212\uFE58\uFE63]/g, '-')
    .replace(/[\u200B-\u200D\u2060\uFEFF]/g, '')
    .replace(/[^\S\n]+/g, ' ')
    .replace(/ ?\n ?/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/**
 * Text `canonicalText` returns unchanged: printable ASCII but the backquote
 * (NFKC leaves ASCII alone, and no other rule touches it), single spaces, no
 * space beside a line break, at most two line breaks in a row, nothing to
 * trim. This matches any text outside that set.
 */
const NOT_CANONICAL = /[^\x20-\x5f\x61-\x7e\n]|  | \n|\n |\n\n\n|^[ \n]|[ \n]$/;

const CONTRACTIONS: readonly (readonly [RegExp, string])[] = [
  [/\bcan'?t\b/gi, 'can not'],
  [/\bcannot\b/gi, 'can not'],
  [/\bwon'?t\b/gi, 'will not'],
  [/\bshan'?t\b/gi, 'shall not'],
  [/\bain'?t\b/gi, 'is not'],
  [/\b(do|does|did|is|are|was|were|has|have|had|could|would|should|must|need|might)n'?t\b/gi, '$1 not'],
  [/n't\b/gi, ' not'],
  [/'re\b/gi, ' are'],
  [/'ve\b/gi, ' have'],
  [/'ll\b/gi, ' will'],
  [/\bi'm\b/gi, 'i am'],
  [/'d\b/gi, ' would'],
  [/\blet's\b/gi, 'let us'],
  [/\b(it|that|what|where|who|how|there|here|he|she|this|when|why|which)'s\b/gi, '$1 is'],
  [/([\p{L}\p{N}])'s\b/giu, '$1'],
  [/([\p{L}])s'(?=[\s.,;:!?)]|$)/giu, '$1s'],
];

/**
 * A list of regex rewrites applied in order, exactly as
 * `for (const [p, r] of rules) text = text.replace(p, r)` would, but without
 * a pass per rule: one scan with the union of the rules not yet applied finds
 * the first rule that matches anywhere (at each position the union's first
 * matching alternative is the lowest-numbered rule matching there); the rules
 * before it match nowhere, so replacing with them would change nothing, and
 * only that rule is applied before scanning again for the ones after it. Most
 * prompts match no rule at all and cost one scan. Consecutive rules with the
 * same flags share a union; a rule with a backreference is applied on its own.
 */
class RuleChain {
  private readonly segments: RuleSegment[] = [];

  constructor(rules: readonly (readonly [RegExp, string])[]) {
    let start = 0;
    for (let i = 1; i <= rules.length; i++) {
      const boundary = i === rules.length || rules[i]![0].flags !== rules[start]![0].flags || !unionable(rules[i]![0]) || !unionable(rules[i - 1]![0]);
      if (!boundary) continue;
      this.segments.push(new RuleSegment(rules.slice(start, i)));
      start = i;
    }
  }

  apply(text: string): string {
    let out = text;
    for (const segment of this.segments) out = segment.apply(out);
    return out;
  }
}

/** A rule may join a union unless it is sticky or has a backreference or a named group (group numbers shift in a union). */
function unionable(pattern: RegExp): boolean {
  return !pattern.sticky && !/\\(?:[1-9]|k<)|\(\?</.test(pattern.source.replace(/\(\?<[=!]/g, ''));
}

class RuleSegment {
  /** `unions[k]`: the union of rules k.. (built on first use) and where each rule's own group starts in it. */
  private readonly unions: ({ pattern: RegExp; groups: number[] } | undefined)[] = [];

  /** `u` or `v`: the scan steps over whole code points, as `replace` does. */
  private readonly fullUnicode: boolean;

  constructor(private readonly rules: readonly (readonly [RegExp, string])[]) {
    this.fullUnicode = /[uv]/.test(rules[0]![0].flags);
  }

  private union(k: number): { pattern: RegExp; groups: number[] } {
    let union = this.unions[k];
    if (union) return union;
    const flags = this.rules[k]![0].flags.replace('g', '') + 'g';
    const groups: number[] = [];
    const sources: string[] = [];
    let group = 1;
    for (let i = k; i < this.rules.length; i++) {
      const source = this.rules[i]![0].source;
      groups.push(group);
      group += 1 + (new RegExp(`${source}|`, flags).exec('')!.length - 1);
      sources.push(`(${source})`);
    }
    union = { pattern: new RegExp(sources.join('|'), flags), groups };
    this.unions[k] = union;
    return union;
  }

  apply(text: string): string {
    const n = this.rules.length;
    if (n === 1) return text.replace(this.rules[0]![0], this.rules[0]![1]);
    let out = text;
    let k = 0;
    while (k < n) {
      const { pattern, groups } = this.union(k);
      let first = n;
      pattern.lastIndex = 0;
      for (let m = pattern.exec(out); m !== null; m = pattern.exec(out)) {
        let j = 0;
        while (m[groups[j]!] === undefined) j++;
        if (k + j < first) first = k + j;
        if (first === k) break;
        // Every start position is tried (not only those after this match): a lower rule may match inside it.
        pattern.lastIndex = this.fullUnicode ? advance(out, m.index) : m.index + 1;
      }
      if (first === n) break;
      const [rule, replacement] = this.rules[first]!;
      out = out.replace(rule, replacement);
      k = first + 1;
    }
    return out;
  }
}

/** The next code point's index (the spec's AdvanceStringIndex with full Unicode). */
function advance(text: string, index: number): number {
  const code = text.charCodeAt(index);
  if (code < 0xd800 || code > 0xdbff || index + 1 >= text.length) return index + 1;
  const next = text.charCodeAt(index + 1);
  return next >= 0xdc00 && next <= 0xdfff ? index + 2 : index + 1;
}

const CONTRACTION_CHAIN = new RuleChain(CONTRACTIONS);
const PHRASE_CHAIN = new RuleChain(PHRASE_REWRITES);

/** Expands contractions (`don't` -> `do not`, also without the apostrophe) and drops possessive `'s`. */
export function expandContractions(text: string): string {
  return CONTRACTION_CHAIN.apply(text);
}

/** Canonical text, contractions expanded, politeness and periphrases folded (see lexicon.ts). */
export function prepareText(text: string): string {
  return prepareCanonical(canonicalText(text));
}

/** `prepareText` of text that is already `canonicalText`'s output. */
export function prepareCanonical(canonical: string): string {
  const out = PHRASE_CHAIN.apply(expandContractions(canonical));
  return out.includes('  ') ? out.replace(/ {2,}/g, ' ').trim() : out.trim();
}

/**
 * Title Case or ALL CAPS: most of the text's small function words are
 * capitalised, so capitals say nothing about which words are names.
 */
export function isTitleCase(canonical: string): boolean {
  const words = canonical.match(/\p{L}+/gu) ?? [];
  let small = 0;
  let capitalised = 0;
  for (let i = 1; i < words.length; i++) {
    const w = words[i]!;
    if (!STOP.has(w.toLowerCase())) continue;
    small++;
    if (w[0] !== w[0]!.toLowerCase()) capitalised++;
  }
  return small > 0 && capitalised / small > 0.5;
}

export type TokenType = 'word' | 'number' | 'id' | 'date' | 'time' | 'symbol' | 'punct';

export interface Token {
  type: TokenType;
  /** As written (after prepareText). */
  text: string;
  lower: string;
  /** The first token of a sentence: after the start, `.`, `!`, `?`, `:` or a line break. */
  sentenceStart: boolean;
  /** Clause number: clauses split at `, ; : . ! ? ( )` and line breaks. */
  clause: number;
  /** Words only: the canonical term (spelling folded, stemmed, synonyms folded). */
  term: string;
  /** Words only: a stop word (no content of its own). */
  stop: boolean;
  /** Starts with an upper-case letter. */
  capitalised: boolean;
  /** Part of a fact (number, unit, id, date...): set by the guards' extraction. */
  fact: boolean;
}

const TOKEN_PATTERN = new RegExp(
  [
    /(?<email>[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.\p{L}{2,})/u.source,
    /(?<url>https?:\/\/[^\s<>"'\])]+)/u.source,
    /(?<iso>\d{4}-\d{1,2}-\d{1,2}(?:T\d{1,2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:?\d{2})?)?)(?![\p{L}\p{N}])/u.source,
    /(?<numdate>\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2}))(?![\p{L}\p{N}]|[/.-]\d)/u.source,
    /(?<time>\d{1,2}:\d{2}(?::\d{2})?(?: ?[aApP]\.?[mM]\.?)?|\d{1,2} ?[aApP]\.?[mM]\.?)(?![\p{L}\p{N}])/u.source,
    /(?<euro>\d{1,3}(?:\.\d{3})+,\d{1,2})(?![\p{L}\p{N}])/u.source,
    /(?<grouped>\d{1,3}(?:[,']\d{3})+(?:\.\d+)?)(?![\p{N}])/u.source,
    /(?<decimal>\d+\.\d+)(?![\p{N}.])/u.source,
    /(?<chunk>[\p{L}\p{N}]+(?:[-_.'/+][\p{L}\p{N}]+)*)/u.source,
    /(?<symbol>[$€£¥₹%#<>≤≥=&+])/u.source,
    /(?<punct>[.!?;:,()[\]{}"\n])/u.source,
  ].join('|'),
  'gu',
);

const SENTENCE_END = new Set(['.', '!', '?', ':', '\n']);
const CLAUSE_END = new Set(['.', '!', '?', ':', ';', ',', '(', ')', '[', ']', '{', '}', '\n']);

/** Suffixes that may be glued to a number: `5k`, `30days`, `3rd`, `10am`, `15pct`. */
function isNumberSuffix(suffix: string): boolean {
  return suffix in UNITS || suffix in SCALE_WORDS || suffix in CURRENCIES || ORDINAL_SUFFIXES.has(suffix);
}

/**
 * Splits prepared text into tokens. Emails, URLs and anything mixing letters
 * and digits (`CLM-10023`, `INV2024-77`, `gpt-4o`, UUIDs) are one `id`
 * token; `5k`, `30-day` and `3rd` become a number and a word; `10-15` and
 * `555-1234` become two numbers.
 */
export function tokenize(prepared: string): Token[] {
  const tokens: Token[] = [];
  let sentenceStart = true;
  let clause = 0;
  const push = (type: TokenType, text: string) => {
    const lower = text.toLowerCase();
    const first = text[0]!;
    tokens.push({ type, text, lower, sentenceStart, clause, term: '', stop: false, capitalised: first !== lower[0], fact: false });
    sentenceStart = false;
  };
  const punct = (text: string) => {
    if (CLAUSE_END.has(text)) clause++;
    push('punct', text);
    if (SENTENCE_END.has(text)) sentenceStart = true;
  };
  // TOKEN_PATTERN's matches, in order. The common tokens (a plain ASCII word, a space, a punctuation
  // mark) are read directly where TOKEN_PATTERN provably matches exactly them; the rest is matched.
  const n = prepared.length;
  let pos = 0;
  while (pos < n) {
    const c = prepared.charCodeAt(pos);
    if (c === 0x20) {
      pos++;
      continue;
    }
    if (isAsciiLetter(c)) {
      let end = pos + 1;
      while (end < n && isAsciiLetter(prepared.charCodeAt(end))) end++;
      if (plainWordEnd(prepared, pos, end)) {
        push('word', prepared.slice(pos, end));
        pos = end;
        continue;
      }
    } else if (c < 0x80 && PUNCT_START[c] === 1 && (c !== 0x2e || pos + 1 === n || !mayContinueEmail(prepared.charCodeAt(pos + 1)))) {
      punct(prepared[pos]!);
      pos++;
      continue;
    }
    TOKEN_SCAN.lastIndex = pos;
    const match = TOKEN_SCAN.exec(prepared);
    if (match === null) break;
    const text = match[0];
    if (match[GROUP.email] !== undefined || match[GROUP.url] !== undefined) push('id', text.replace(/[.,;:!?]+$/, ''));
    else if (match[GROUP.iso] !== undefined || match[GROUP.numdate] !== undefined) push('date', text);
    else if (match[GROUP.time] !== undefined) push('time', text);
    else if (match[GROUP.euro] !== undefined) push('number', text.replace(/\./g, '').replace(',', '.'));
    else if (match[GROUP.grouped] !== undefined) push('number', text.replace(/[,']/g, ''));
    else if (match[GROUP.decimal] !== undefined) push('number', text);
    else if (match[GROUP.chunk] !== undefined) pushChunk(text, push);
    else if (match[GROUP.symbol] !== undefined) push('symbol', text);
    else punct(text);
    pos = match.index + text.length;
  }
  for (const token of tokens) {
    if (token.type !== 'word') continue;
    const lexeme = lexemeOf(token.lower);
    token.term = lexeme.term;
    token.stop = lexeme.stop;
  }
  return tokens;
}

/** A word's term and whether it is a stop word, memoised together (one lookup per token). */
const LEXEMES = new Map<string, { term: string; stop: boolean }>();

function lexemeOf(lower: string): { term: string; stop: boolean } {
  let lexeme = LEXEMES.get(lower);
  if (lexeme) return lexeme;
  lexeme = { term: canonicalTerm(lower), stop: STOP.has(lower) };
  if (LEXEMES.size < 50_000) LEXEMES.set(lower, lexeme);
  return lexeme;
}

/** TOKEN_PATTERN with its named groups as plain numbered ones (no groups object per match). */
const TOKEN_SCAN = new RegExp(TOKEN_PATTERN.source.replace(/\(\?<([a-z]+)>/g, '('), 'gu');
const GROUP = (() => {
  const names = [...TOKEN_PATTERN.source.matchAll(/\(\?<([a-z]+)>/g)].map((m) => m[1]!);
  if (new RegExp(`${TOKEN_SCAN.source}|`, 'u').exec('')!.length - 1 !== names.length) throw new Error('TOKEN_PATTERN: only its named groups may capture');
  const at = (name: string) => {
    const index = names.indexOf(name);
    if (index < 0) throw new Error(`TOKEN_PATTERN has no group ${name}`);
    return index + 1;
  };
  return {
    email: at('email'), url: at('url'), iso: at('iso'), numdate: at('numdate'), time: at('time'), euro: at('euro'),
    grouped: at('grouped'), decimal: at('decimal'), chunk: at('chunk'), symbol: at('symbol'), punct: at('punct'),
  };
})();

function isAsciiLetter(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
}

function isAsciiDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** A character an email's local part may continue with, or its `@`; anything beyond ASCII counts (it may be a letter). */
function mayContinueEmail(c: number): boolean {
  return c >= 0x80 || isAsciiLetter(c) || isAsciiDigit(c) || c === 0x2e || c === 0x5f || c === 0x25 || c === 0x2b || c === 0x2d || c === 0x40;
}

/**
 * The ASCII letters at [start, end) are exactly TOKEN_PATTERN's match there, a
 * plain word: what follows can extend neither an email (`._%+-@`, letters,
 * digits), nor a URL (`http:`, `https:`), nor a chunk (letters, digits, or
 * `-_.'/+` joining more); the number patterns need a digit first.
 */
function plainWordEnd(text: string, start: number, end: number): boolean {
  if (end === text.length) return true;
  const c = text.charCodeAt(end);
  if (mayContinueEmail(c)) return false;
  if (c === 0x27 || c === 0x2f) return false;
  if (c === 0x3a && text.startsWith('http', start)) return false;
  return true;
}

/** Punctuation no other alternative of TOKEN_PATTERN can start (a `.` only when no email can follow). */
const PUNCT_START = new Uint8Array(0x80);
for (const ch of '.!?;:,()[]{}"\n') PUNCT_START[ch.charCodeAt(0)] = 1;

function pushChunk(text: string, push: (type: TokenType, text: string) => void): void {
  const hasDigit = /\p{N}/u.test(text);
  if (!hasDigit) {
    // Hyphenated words are split (`source-of-funds`, `at-fault`) unless the first part is a prefix (`non-`, `re-`, `e-`).
    const parts = text.split('-');
    if (parts.length > 1 && !JOINED_PREFIXES.has(parts[0]!.toLowerCase()) && parts.every((p) => p.length > 0)) for (const part of parts) push('word', part);
    else push('word', text);
    return;
  }
  const hasLetter = /\p{L}/u.test(text);
  if (!hasLetter) {
    if (/^\d+$/.test(text)) push('number', text);
    else if (/^\d+(?:[-/]\d+)+$/.test(text)) for (const part of text.split(/[-/]/)) push('number', part);
    else push('id', text);
    return;
  }
  // A number with a unit, scale or ordinal glued on: 5k, 1.2m, 30days, 3rd, 10am.
  const glued = /^(\d+(?:\.\d+)?)(\p{L}+)$/u.exec(text);
  if (glued && isNumberSuffix(glued[2]!.toLowerCase())) {
    push('number', glued[1]!);
    push('word', glued[2]!);
    return;
  }
  // A number-word compound: 30-day, 3-bullet, 5-year-old.
  const compound = /^(\d+(?:\.\d+)?)-(\p{L}+(?:-\p{L}+)*)$/u.exec(text);
  if (compound) {
    push('number', compound[1]!);
    for (const word of compound[2]!.split('-')) push('word', word);
    return;
  }
  push('id', text);
}

const JOINED_PREFIXES = new Set(['non', 'un', 're', 'de', 'co', 'pre', 'e', 'anti', 'multi', 'sub', 'self', 'cross', 'semi', 'post', 'mid']);
const STOP = new Set(STOP_WORDS);
const KEPT = new Set(KEPT_FUNCTION_WORDS);

export function isStopWord(lower: string): boolean {
  return STOP.has(lower) && !KEPT.has(lower);
}

export function isNegationCue(lower: string): boolean {
  return lower in NEGATION_CUES;
}

// ---------------------------------------------------------------- stemming

const VOWELS = new Set(['a', 'e', 'i', 'o', 'u']);

function consonant(w: string, i: number): boolean {
  const c = w[i]!;
  if (VOWELS.has(c)) return false;
  if (c === 'y') return i === 0 || !consonant(w, i - 1);
  return true;
}

/** Porter's m: the number of vowel-consonant sequences in `w`. */
function measure(w: string): number {
  let m = 0;
  let i = 0;
  const n = w.length;
  while (i < n && consonant(w, i)) i++;
  while (i < n) {
    while (i < n && !consonant(w, i)) i++;
    if (i >= n) break;
    while (i < n && consonant(w, i)) i++;
    m++;
  }
  return m;
}

function hasVowel(w: string): boolean {
  for (let i = 0; i < w.length; i++) if (!consonant(w, i)) return true;
  return false;
}

function doubleConsonant(w: string): boolean {
  const n = w.length;
  return n >= 2 && w[n - 1] === w[n - 2] && consonant(w, n - 1);
}

/** Ends consonant-vowel-consonant, the last not w, x or y. */
function cvc(w: string): boolean {
  const n = w.length;
  if (n < 3) return false;
  if (!consonant(w, n - 1) || consonant(w, n - 2) || !consonant(w, n - 3)) return false;
  const last = w[n - 1]!;
  return last !== 'w' && last !== 'x' && last !== 'y';
}

const STEP2_RULES: [string, string][] = [
  ['ational', 'ate'], ['tional', 'tion'], ['enci', 'ence'], ['anci', 'ance'], ['izer', 'ize'], ['abli', 'able'], ['alli', 'al'],
  ['entli', 'ent'], ['eli', 'e'], ['ousli', 'ous'], ['ization', 'ize'], ['ation', 'ate'], ['ator', 'ate'], ['alism', 'al'],
  ['iveness', 'ive'], ['fulness', 'ful'], ['ousness', 'ous'], ['aliti', 'al'], ['iviti', 'ive'], ['biliti', 'ble'],
];
const STEP2 = [...STEP2_RULES].sort((a, b) => b[0].length - a[0].length);
const STEP3: readonly (readonly [string, string])[] = [
  ['icate', 'ic'], ['ative', ''], ['alize', 'al'], ['iciti', 'ic'], ['ical', 'ic'], ['ful', ''], ['ness', ''],
];
const STEP4 = ['ement', 'ance', 'ence', 'able', 'ible', 'ment', 'ant', 'ent', 'ion', 'ism', 'ate', 'iti', 'ous', 'ive', 'ize', 'al', 'er', 'ic', 'ou'];

function replaceSuffix(w: string, rules: readonly (readonly [string, string])[], minMeasure: number): string {
  for (const [suffix, replacement] of rules) {
    if (!w.endsWith(suffix)) continue;
    const stem = w.slice(0, -suffix.length);
    return measure(stem) > minMeasure ? stem + replacement : w;
  }
  return w;
}

/** The Porter (1980) stemmer; words of one or two letters, or with digits, are returned as they are. */
export function stem(word: string): string {
  let w = word;
  if (w.length <= 2 || !/^[a-z]+$/.test(w)) return w;
  // Step 1a
  if (w.endsWith('sses')) w = w.slice(0, -2);
  else if (w.endsWith('ies')) w = w.slice(0, -2);
  else if (!w.endsWith('ss') && w.endsWith('s')) w = w.slice(0, -1);
  // Step 1b
  let again = false;
  if (w.endsWith('eed')) {
    if (measure(w.slice(0, -3)) > 0) w = w.slice(0, -1);
  } else if (w.endsWith('ed') && hasVowel(w.slice(0, -2))) {
    w = w.slice(0, -2);
    again = true;
  } else if (w.endsWith('ing') && hasVowel(w.slice(0, -3))) {
    w = w.slice(0, -3);
    again = true;
  }
  if (again) {
    if (w.endsWith('at') || w.endsWith('bl') || w.endsWith('iz')) w += 'e';
    else if (doubleConsonant(w) && !/[lsz]$/.test(w)) w = w.slice(0, -1);
    else if (measure(w) === 1 && cvc(w)) w += 'e';
  }
  // Step 1c
  if (w.endsWith('y') && hasVowel(w.slice(0, -1))) w = w.slice(0, -1) + 'i';
  // Steps 2 and 3
  w = replaceSuffix(w, STEP2, 0);
  w = replaceSuffix(w, STEP3, 0);
  // Step 4
  for (const suffix of STEP4) {
    if (!w.endsWith(suffix)) continue;
    const s = w.slice(0, -suffix.length);
    if (measure(s) > 1 && (suffix !== 'ion' || /[st]$/.test(s))) w = s;
    break;
  }
  // Step 5
  if (w.endsWith('e')) {
    const s = w.slice(0, -1);
    const m = measure(s);
    if (m > 1 || (m === 1 && !cvc(s))) w = s;
  }
  if (measure(w) > 1 && doubleConsonant(w) && w.endsWith('l')) w = w.slice(0, -1);
  return w;
}

/** British -ise/-yse spellings to -ize/-yze before stemming, so both stem alike. */
function foldSpelling(lower: string): string {
  const listed = SPELLING_VARIANTS[lower];
  if (listed) return listed;
  if (lower.length >= 6) {
    const m = /^(.{3,}[^aeiou])is(e|es|ed|ing|ation|ations|er|ers)$/.exec(lower);
    if (m) return `${m[1]}iz${m[2]}`;
    const y = /^(.{2,})ys(e|es|ed|ing|er|ers)$/.exec(lower);
    if (y) return `${y[1]}yz${y[2]}`;
  }
  return lower;
}

const SYNONYMS = new Map<string, string>();
for (const group of SYNONYM_GROUPS) {
  const head = stem(foldSpelling(group[0]!));
  for (const word of group) SYNONYMS.set(stem(foldSpelling(word.replace(/-/g, ''))), head);
}

const TERM_CACHE = new Map<string, string>();

/** A word's canonical term: hyphens dropped, spelling folded, stemmed, synonyms folded. */
export function canonicalTerm(lower: string): string {
  const cached = TERM_CACHE.get(lower);
  if (cached !== undefined) return cached;
  const joined = lower.replace(/['-]/g, '');
  const stemmed = stem(foldSpelling(joined));
  const term = SYNONYMS.get(stemmed) ?? stemmed;
  if (TERM_CACHE.size < 50_000) TERM_CACHE.set(lower, term);
  return term;
}
