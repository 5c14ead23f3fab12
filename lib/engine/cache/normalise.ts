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

/** Expands contractions (`don't` -> `do not`, also without the apostrophe) and drops possessive `'s`. */
export function expandContractions(text: string): string {
  let out = text;
  for (const [pattern, replacement] of CONTRACTIONS) out = out.replace(pattern, replacement);
  return out;
}

/** Canonical text, contractions expanded, politeness and periphrases folded (see lexicon.ts). */
export function prepareText(text: string): string {
  let out = expandContractions(canonicalText(text));
  for (const [pattern, replacement] of PHRASE_REWRITES) out = out.replace(pattern, replacement);
  return out.replace(/ {2,}/g, ' ').trim();
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
  for (const match of prepared.matchAll(TOKEN_PATTERN)) {
    const g = match.groups!;
    const text = match[0];
    if (g.email !== undefined || g.url !== undefined) push('id', text.replace(/[.,;:!?]+$/, ''));
    else if (g.iso !== undefined || g.numdate !== undefined) push('date', text);
    else if (g.time !== undefined) push('time', text);
    else if (g.euro !== undefined) push('number', text.replace(/\./g, '').replace(',', '.'));
    else if (g.grouped !== undefined) push('number', text.replace(/[,']/g, ''));
    else if (g.decimal !== undefined) push('number', text);
    else if (g.chunk !== undefined) pushChunk(text, push);
    else if (g.symbol !== undefined) push('symbol', text);
    else {
      if (CLAUSE_END.has(text)) clause++;
      push('punct', text);
      if (SENTENCE_END.has(text)) sentenceStart = true;
    }
  }
  for (const token of tokens) {
    if (token.type !== 'word') continue;
    token.term = canonicalTerm(token.lower);
    token.stop = STOP.has(token.lower);
  }
  return tokens;
}

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
