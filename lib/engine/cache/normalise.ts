/**
 * Text normalisation and tokenisation for the response cache: the canonical
 * text (canonical.ts, re-exported here), contractions, politeness and
 * periphrases, then a tokeniser that keeps numbers, ids, dates and times
 * whole, and a Porter stemmer with synonym folding for the words.
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
import { canonicalText } from './canonical';
import { codeUnitMemo } from './code-unit-memo';

export { canonicalText };

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
 * `text.toLowerCase()`, without the call for text that is lower-case ASCII
 * already (most words): the call costs far more than the scan, above all on
 * a string stored two bytes per character (a prompt with any character
 * beyond Latin-1, such as `€`, is stored so, and so are words sliced from it).
 */
export function lowerCase(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80 || (c >= 0x41 && c <= 0x5a)) return text.toLowerCase();
  }
  return text;
}

/**
 * Title Case or ALL CAPS: most of the text's small function words are
 * capitalised, so capitals say nothing about which words are names.
 */
export function isTitleCase(canonical: string): boolean {
  // The words are the runs of letters (`/\p{L}+/gu`), read in place: only one that may be a stop word is sliced.
  let small = 0;
  let capitalised = 0;
  let first = true;
  for (let i = 0; i < canonical.length; ) {
    const size = letterSize(canonical, i);
    if (size <= 0) {
      i -= size;
      continue;
    }
    const end = letterRunEnd(canonical, i);
    if (!first && mayBeStopWord(canonical, i, end)) {
      const w = canonical.slice(i, end);
      if (STOP.has(lowerCase(w))) {
        small++;
        if (w[0] !== w[0]!.toLowerCase()) capitalised++;
      }
    }
    first = false;
    i = end;
  }
  return small > 0 && capitalised / small > 0.5;
}

function letterRunEnd(text: string, start: number): number {
  let end = start;
  for (let size = letterSize(text, end); size > 0; size = letterSize(text, end)) end += size;
  return end;
}

/** The letters at [start, end) may be a stop word once lower-cased: an ASCII word longer than every stop word cannot. */
function mayBeStopWord(text: string, start: number, end: number): boolean {
  if (end - start <= MAX_STOP_LENGTH) return true;
  for (let i = start; i < end; i++) if (text.charCodeAt(i) >= 0x80) return true;
  return false;
}

/**
 * The code point at `i` (code units, 1 or 2) when it is a letter (`\p{L}`),
 * else minus its size; 0 at the end of the text.
 */
function letterSize(text: string, i: number): number {
  if (i >= text.length) return 0;
  const code = text.charCodeAt(i);
  const start = tokenChar(code);
  if (start !== Start.Surrogate) return start === Start.Letter ? 1 : -1;
  if (code > 0xdbff || i + 1 >= text.length) return -1;
  const low = text.charCodeAt(i + 1);
  if (low < 0xdc00 || low > 0xdfff) return -1;
  return LETTER.test(text.slice(i, i + 2)) ? 2 : -2;
}

const LETTER = /^\p{L}$/u;

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
  return readTokens(prepared, true);
}

/** `tokenize` with every token matched by TOKEN_PATTERN, none read directly: the definition the fast paths are tested against. */
export function tokenizeByPattern(prepared: string): Token[] {
  return readTokens(prepared, false);
}

function readTokens(prepared: string, direct: boolean): Token[] {
  const sink = new TokenSink();
  // TOKEN_PATTERN's matches, in order. The common tokens are read directly where TOKEN_PATTERN
  // provably matches exactly them (see readDirectly); the rest is matched.
  const n = prepared.length;
  let pos = 0;
  while (pos < n) {
    const end = direct ? readDirectly(prepared, pos, sink) : pos;
    if (end > pos) {
      pos = end;
      continue;
    }
    TOKEN_SCAN.lastIndex = pos;
    const match = TOKEN_SCAN.exec(prepared);
    if (match === null) break;
    const text = match[0];
    if (match[GROUP.email] !== undefined || match[GROUP.url] !== undefined) sink.push('id', text.replace(/[.,;:!?]+$/, ''));
    else if (match[GROUP.iso] !== undefined || match[GROUP.numdate] !== undefined) sink.push('date', text);
    else if (match[GROUP.time] !== undefined) sink.push('time', text);
    else if (match[GROUP.euro] !== undefined) sink.push('number', text.replace(/\./g, '').replace(',', '.'));
    else if (match[GROUP.grouped] !== undefined) sink.push('number', text.replace(/[,']/g, ''));
    else if (match[GROUP.decimal] !== undefined) sink.push('number', text);
    else if (match[GROUP.chunk] !== undefined) pushChunk(text, sink);
    else if (match[GROUP.symbol] !== undefined) sink.push('symbol', text);
    else sink.punct(text);
    pos = match.index + text.length;
  }
  const tokens = sink.tokens;
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

/** The tokens read so far, and the sentence and clause the next one is in. */
class TokenSink {
  readonly tokens: Token[] = [];
  private sentenceStart = true;
  private clause = 0;

  push(type: TokenType, text: string): void {
    const lower = lowerCase(text);
    const first = text[0]!;
    const { sentenceStart, clause } = this;
    this.tokens.push({ type, text, lower, sentenceStart, clause, term: '', stop: false, capitalised: first !== lower[0], fact: false });
    this.sentenceStart = false;
  }

  punct(text: string): void {
    if (CLAUSE_END.has(text)) this.clause++;
    this.push('punct', text);
    if (SENTENCE_END.has(text)) this.sentenceStart = true;
  }
}

/** What TOKEN_PATTERN can start with a code unit (see tokenChar). */
const Start = {
  Unknown: 0,
  /** A letter (`\p{L}`): a chunk, or an email or a URL. */
  Letter: 1,
  /** A number (`\p{N}`) other than an ASCII digit: a chunk or an email. */
  Number: 2,
  /** An ASCII digit: a number, date, time, chunk or email. */
  Digit: 3,
  /** A punctuation token only: `!?;:,()[]{}"` and the line break. */
  Punct: 4,
  /** A symbol token only: `$€£¥₹#<>≤≥=&`. */
  Symbol: 5,
  /** An email, or else a punctuation token (`.`), a symbol (`%`, `+`) or nothing (`-`, `_`). */
  EmailOr: 6,
  /** Nothing: the scan steps over it to the next match. */
  Inert: 7,
  /** Half of a surrogate pair: left to TOKEN_PATTERN. */
  Surrogate: 8,
} as const;
type Start = (typeof Start)[keyof typeof Start];

/** What a token starting with this code unit can be, worked out once per code unit. */
const tokenChar = codeUnitMemo(classifyTokenChar);

/** Read from TOKEN_PATTERN's alternatives: which of them a match starting with this code unit can be. */
function classifyTokenChar(code: number): Start {
  if (code >= 0xd800 && code <= 0xdfff) return Start.Surrogate;
  if (code >= 0x30 && code <= 0x39) return Start.Digit;
  const ch = String.fromCharCode(code);
  if (/\p{L}/u.test(ch)) return Start.Letter;
  if (/\p{N}/u.test(ch)) return Start.Number;
  if ('!?;:,()[]{}"\n'.includes(ch)) return Start.Punct;
  if ('$€£¥₹#<>≤≥=&'.includes(ch)) return Start.Symbol;
  if ('.%+-_'.includes(ch)) return Start.EmailOr;
  return Start.Inert;
}

function isLetterOrNumber(start: Start): boolean {
  return start === Start.Letter || start === Start.Number || start === Start.Digit;
}

/**
 * Reads the token at `pos` into `sink` when TOKEN_PATTERN's match there is
 * provably one of: a chunk of letters and numbers joined by hyphens (read
 * as pushChunk would), a run of ASCII digits (a number), a punctuation mark
 * or a symbol; or steps over a character no match can start with (a
 * space). Returns where the next token may start, or `pos` when the match
 * is left to TOKEN_PATTERN.
 */
function readDirectly(text: string, pos: number, sink: TokenSink): number {
  const start = tokenChar(text.charCodeAt(pos));
  switch (start) {
    case Start.Letter:
    case Start.Number:
      return readChunk(text, pos, start === Start.Letter, sink);
    case Start.Digit:
      return readDigits(text, pos, sink);
    case Start.Punct:
      sink.punct(text[pos]!);
      return pos + 1;
    case Start.Symbol:
      sink.push('symbol', text[pos]!);
      return pos + 1;
    case Start.EmailOr: {
      if (pos + 1 < text.length && mayContinueEmail(text.charCodeAt(pos + 1))) return pos;
      const ch = text[pos]!;
      if (ch === '.') sink.punct(ch);
      else if (ch === '%' || ch === '+') sink.push('symbol', ch);
      return pos + 1;
    }
    case Start.Inert:
      return pos + 1;
    default:
      return pos;
  }
}

/**
 * Letters and numbers, possibly joined by single hyphens, starting with a
 * letter or a non-ASCII number. It is TOKEN_PATTERN's match (a chunk; the
 * number patterns need an ASCII digit first) when what follows can extend
 * neither it (letters, numbers, or `-_.'/+` joining more), nor an email
 * (`._%+-@`), nor a URL (`http:`, `https:`).
 */
function readChunk(text: string, pos: number, letterFirst: boolean, sink: TokenSink): number {
  const n = text.length;
  let end = pos + 1;
  /** Letters only, no hyphen: a word as it is (pushChunk's answer). */
  let plain = letterFirst;
  let hasNumber = !letterFirst;
  for (;;) {
    while (end < n) {
      const next = tokenChar(text.charCodeAt(end));
      if (next === Start.Letter) end++;
      else if (next === Start.Number || next === Start.Digit) {
        plain = false;
        hasNumber = true;
        end++;
      } else break;
    }
    if (end + 1 < n && text.charCodeAt(end) === 0x2d && isLetterOrNumber(tokenChar(text.charCodeAt(end + 1)))) {
      plain = false;
      end++;
      continue;
    }
    break;
  }
  if (end < n) {
    const c = text.charCodeAt(end);
    if (mayContinueEmail(c) || c === 0x27 || c === 0x2f || (c === 0x3a && text.startsWith('http', pos))) return pos;
  }
  const chunk = text.slice(pos, end);
  if (plain) sink.push('word', chunk);
  else if (!hasNumber) pushWordChunk(chunk, sink);
  else pushChunk(chunk, sink);
  return end;
}

/**
 * A run of ASCII digits is TOKEN_PATTERN's match (a chunk that pushChunk
 * reads as a number) when what follows can extend neither a chunk or an
 * email (letters, numbers, `._%+-@'/`), nor a date, a time or a grouped or
 * decimal number (`-/.:,'`, or ` am` / ` pm` after one or two digits).
 */
function readDigits(text: string, pos: number, sink: TokenSink): number {
  const n = text.length;
  let end = pos + 1;
  while (end < n && tokenChar(text.charCodeAt(end)) === Start.Digit) end++;
  if (end < n) {
    const c = text.charCodeAt(end);
    if (mayContinueEmail(c) || c === 0x27 || c === 0x2f || c === 0x3a || c === 0x2c) return pos;
    if (c === 0x20 && end - pos <= 2 && end + 1 < n && AM_PM_START.includes(text[end + 1]!)) return pos;
  }
  sink.push('number', text.slice(pos, end));
  return end;
}

const AM_PM_START = 'aApP';

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

/** A code unit an email's local part may continue with (letters, numbers, `._%+-`), or its `@`; half a surrogate pair counts (it may be a letter). */
function mayContinueEmail(c: number): boolean {
  if (c === 0x40) return true;
  const start = tokenChar(c);
  return isLetterOrNumber(start) || start === Start.EmailOr || start === Start.Surrogate;
}

function pushChunk(text: string, sink: TokenSink): void {
  const hasDigit = /\p{N}/u.test(text);
  if (!hasDigit) {
    pushWordChunk(text, sink);
    return;
  }
  const hasLetter = /\p{L}/u.test(text);
  if (!hasLetter) {
    if (/^\d+$/.test(text)) sink.push('number', text);
    else if (/^\d+(?:[-/]\d+)+$/.test(text)) for (const part of text.split(/[-/]/)) sink.push('number', part);
    else sink.push('id', text);
    return;
  }
  // A number with a unit, scale or ordinal glued on: 5k, 1.2m, 30days, 3rd, 10am.
  const glued = /^(\d+(?:\.\d+)?)(\p{L}+)$/u.exec(text);
  if (glued && isNumberSuffix(glued[2]!.toLowerCase())) {
    sink.push('number', glued[1]!);
    sink.push('word', glued[2]!);
    return;
  }
  // A number-word compound: 30-day, 3-bullet, 5-year-old.
  const compound = /^(\d+(?:\.\d+)?)-(\p{L}+(?:-\p{L}+)*)$/u.exec(text);
  if (compound) {
    sink.push('number', compound[1]!);
    for (const word of compound[2]!.split('-')) sink.push('word', word);
    return;
  }
  sink.push('id', text);
}

/**
 * A chunk without numbers. Hyphenated words are split (`source-of-funds`,
 * `at-fault`) unless the first part is a prefix (`non-`, `re-`, `e-`) or a
 * part is empty. (With indexOf and slices: `split` costs several times more
 * on a string sliced from a prompt.)
 */
function pushWordChunk(text: string, sink: TokenSink): void {
  const hyphen = text.indexOf('-');
  if (hyphen < 0 || JOINED_PREFIXES.has(lowerCase(text.slice(0, hyphen))) || hasEmptyPart(text)) {
    sink.push('word', text);
    return;
  }
  let start = 0;
  for (let end = hyphen; end >= 0; end = text.indexOf('-', start)) {
    sink.push('word', text.slice(start, end));
    start = end + 1;
  }
  sink.push('word', text.slice(start));
}

/** `text.split('-')` has an empty part. */
function hasEmptyPart(text: string): boolean {
  return text.startsWith('-') || text.endsWith('-') || text.includes('--');
}

const JOINED_PREFIXES = new Set(['non', 'un', 're', 'de', 'co', 'pre', 'e', 'anti', 'multi', 'sub', 'self', 'cross', 'semi', 'post', 'mid']);
const STOP = new Set(STOP_WORDS);
/** The longest stop word's length. */
const MAX_STOP_LENGTH = Math.max(...STOP_WORDS.map((w) => w.length));
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
