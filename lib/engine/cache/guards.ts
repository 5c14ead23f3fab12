/**
 * Guards against false semantic hits. A prompt's facts are the things a
 * paraphrase keeps and a different request changes: numbers (with their
 * currency or unit), ids, dates and times, negations (each cue with the word
 * it negates), polarities (approve/deny, increase/decrease, above/below...),
 * quoted strings and names. Two prompts may share a cached answer only when
 * every fact agrees and their content words agree up to one added or dropped
 * word or one misspelt word.
 */
import { hashText } from './hash';
import * as lexicon from './lexicon';
import { canonicalText, canonicalTerm, isStopWord, isTitleCase, prepareCanonical, tokenize, type Token } from './normalise';

// Local bindings: a bundler's live import bindings are getters, and these tables are read per token.
const {
  AFFIX_NEGATIVES,
  AMBIGUOUS_MONTHS,
  CURRENCIES,
  MONTHS,
  NEGATION_CUES,
  NOT_ENTITIES,
  NUMBER_WORDS,
  ORDINALS,
  ORDINAL_SUFFIXES,
  PERIOD_WORDS,
  PERIODIC,
  POLARITY_GROUPS,
  RELATIVE_DAYS,
  RELATIVE_DIRECTIONS,
  SCALE_WORDS,
  UNIT_QUALIFIERS,
  UNITS,
  WEAK_TERMS,
  WEEKDAYS,
} = lexicon;

export interface Facts {
  /** Numbers with their unit or currency (`1250 usd`, `15 %`, `ord:2`), in order of first appearance. */
  numbers: string[];
  /** Ids, emails and URLs, lowercased, in order of first appearance. */
  ids: string[];
  /** Dates and times (`2025-03-03`, `--03-03`, `wd:monday`, `rel:next:week`, `t:14:30`), in order. */
  dates: string[];
  /** One `cue:negated-term` per negation, sorted (a multiset: two negations are not one). */
  negations: string[];
  /** `group:+` / `group:-` for each opposite pair present, sorted. */
  polarity: string[];
  /** Quoted strings, lowercased, sorted. */
  quoted: string[];
  /** In a clause with both `from` and `to`: `from:<term>` and `to:<term>`, sorted (`from A to B` is not `from B to A`). */
  directions: string[];
  /** Capitalised names (`acme`, `lopez`), lowercased, sorted; each must appear in the other prompt. */
  entities: string[];
  /** Content terms (stemmed, synonyms folded), sorted and distinct. */
  terms: string[];
  /** The word each term came from, for the misspelling check. */
  surfaces: Map<string, string>;
  /** Every word's lowercase form and term, for the name check. */
  words: Set<string>;
  /** The facts that must be equal, hashed: prompts with different keys never match. */
  key: string;
}

export type GuardKind = 'number' | 'id' | 'date' | 'negation' | 'polarity' | 'quoted' | 'direction' | 'entity' | 'terms';

const POLARITY = new Map<string, string>();
for (const [group, [plus, minus]] of Object.entries(POLARITY_GROUPS)) {
  for (const word of plus) POLARITY.set(canonicalTerm(word), `${group}:+`);
  for (const word of minus) POLARITY.set(canonicalTerm(word), `${group}:-`);
}
const SYMBOL_POLARITY: Readonly<Record<string, string>> = lexicon.table({ '>': 'above:+', '≥': 'above:+', '<': 'above:-', '≤': 'above:-' });
const WEEKDAY_SET = new Set(WEEKDAYS);
const DATE_PREPOSITIONS = new Set(['in', 'of', 'since', 'until', 'from', 'during', 'before', 'after', 'by', 'early', 'late', 'mid', 'end', 'start', 'beginning', 'through']);
/** `over budget`, `below the policy limit`: over/under/above/below compare when a limit noun follows. */
const LIMIT_WORDS = new Set(['budget', 'limit', 'target', 'threshold', 'quota', 'plan', 'forecast', 'estimate', 'cap', 'allowance', 'average', 'benchmark', 'minimum', 'maximum']);
const LIMIT_SIDE: Readonly<Record<string, string>> = lexicon.table({ over: 'above:+', above: 'above:+', beyond: 'above:+', under: 'above:-', below: 'above:-' });

function limitAhead(tokens: Token[], i: number): boolean {
  const clause = tokens[i]!.clause;
  for (let j = i + 1; j <= i + 4 && j < tokens.length && tokens[j]!.clause === clause; j++) {
    if (tokens[j]!.type === 'word' && LIMIT_WORDS.has(tokens[j]!.lower)) return true;
  }
  return false;
}
const MODALS = new Set(['can', 'could', 'should', 'will', 'would', 'must', 'may', 'might', 'shall']);

/** A decimal string without leading or trailing zeros: `001250.50` -> `1250.5`. */
function canonicalDecimal(text: string): string {
  // Most numbers are whole and have no leading zero: nothing to strip.
  if (text.charCodeAt(0) !== 0x30 && !text.includes('.')) return text;
  const [whole = '0', fraction = ''] = text.split('.');
  const w = whole.replace(/^0+(?=\d)/, '');
  const f = fraction.replace(/0+$/, '');
  return f ? `${w}.${f}` : w;
}

function formatNumber(n: number): string {
  if (Number.isSafeInteger(n)) return String(n);
  if (Number.isInteger(n)) return BigInt(n).toString();
  return String(Number(n.toPrecision(12)));
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

function intValue(token: Token | undefined): number | null {
  if (!token || token.type !== 'number' || !/^\d+$/.test(token.text)) return null;
  return Number(token.text);
}

/** Parses a run of number words at `i` (`twenty five`, `two hundred and fifty`); null if none. */
function numberWords(tokens: Token[], i: number): { value: number; end: number } | null {
  let total = 0;
  let current = 0;
  let seen = false;
  let j = i;
  for (; j < tokens.length; j++) {
    const t = tokens[j]!;
    if (t.type !== 'word') break;
    const parts = t.lower.includes('-') ? t.lower.split('-') : [t.lower];
    if (!parts.every((p) => p in NUMBER_WORDS || (p in SCALE_WORDS && p.length > 2))) {
      if (seen && t.lower === 'and' && tokens[j + 1]?.type === 'word' && tokens[j + 1]!.lower in NUMBER_WORDS) continue;
      break;
    }
    for (const p of parts) {
      if (p in NUMBER_WORDS) current += NUMBER_WORDS[p]!;
      else if (p === 'hundred') current = (current || 1) * 100;
      else {
        total += (current || 1) * SCALE_WORDS[p]!;
        current = 0;
      }
    }
    seen = true;
  }
  return seen ? { value: total + current, end: j } : null;
}

/** Which word lists a lowercase word is in, as bits (see wordInfo). */
const W = {
  month: 1 << 0,
  /** A weekday, or one with an `s` (`mondays`). */
  weekday: 1 << 1,
  relativeDay: 1 << 2,
  periodic: 1 << 3,
  relativeDirection: 1 << 4,
  ordinal: 1 << 5,
  /** May start a run of number words: a number word, a scale word of three letters or more, or hyphenated. */
  numberWord: 1 << 6,
  limitSide: 1 << 7,
  stopWord: 1 << 8,
  from: 1 << 9,
  to: 1 << 10,
} as const;

/** What extractFacts asks of a word, from the word lists: computed once per distinct lowercase word. */
interface WordInfo {
  flags: number;
  /** NEGATION_CUES[lower]. */
  negation: string | undefined;
  /** affixNegative(lower). */
  affix: string | null;
}

const WORD_INFO = new Map<string, WordInfo>();

function wordInfo(lower: string): WordInfo {
  let info = WORD_INFO.get(lower);
  if (info) return info;
  let flags = 0;
  if (lower in MONTHS) flags |= W.month;
  if (WEEKDAY_SET.has(lower.replace(/s$/, ''))) flags |= W.weekday;
  if (lower in RELATIVE_DAYS) flags |= W.relativeDay;
  if (lower in PERIODIC) flags |= W.periodic;
  if (lower in RELATIVE_DIRECTIONS) flags |= W.relativeDirection;
  if (lower in ORDINALS) flags |= W.ordinal;
  if (lower in NUMBER_WORDS || (lower.length > 2 && lower in SCALE_WORDS) || lower.includes('-')) flags |= W.numberWord;
  if (lower in LIMIT_SIDE) flags |= W.limitSide;
  if (isStopWord(lower)) flags |= W.stopWord;
  if (FROM.has(lower)) flags |= W.from;
  if (TO.has(lower)) flags |= W.to;
  info = { flags, negation: NEGATION_CUES[lower], affix: affixNegative(lower) };
  if (WORD_INFO.size < 50_000) WORD_INFO.set(lower, info);
  return info;
}

/**
 * Extracts a prompt's facts and content terms from its tokens (and marks the
 * tokens that are facts). `source` is the canonical text before the phrase
 * rewrites, for the Title Case check.
 */
export function extractFacts(tokens: Token[], prepared: string, source: string = prepared): Facts {
  const consumed = new Uint8Array(tokens.length);
  // Title Case is only asked about a capitalised word that is not the first of its sentence: computed then, once.
  let titleCase: boolean | undefined;
  const infos: (WordInfo | undefined)[] = new Array(tokens.length);
  const flags = new Uint16Array(tokens.length);
  let allFlags = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.type !== 'word') continue;
    const info = wordInfo(t.lower);
    infos[i] = info;
    flags[i] = info.flags;
    allFlags |= info.flags;
  }
  const numbers: string[] = [];
  const ids: string[] = [];
  const dates: string[] = [];
  const negations: string[] = [];
  const polarity = new Set<string>();
  const entities = new Set<string>();

  // Dates and times first: they own the numbers inside them.
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (consumed[i]) continue;
    if (t.type === 'date') {
      consumed[i] = 1;
      const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:T(\d{1,2}):(\d{2}))?/.exec(t.text);
      if (iso) dates.push(`${iso[1]}-${pad2(+iso[2]!)}-${pad2(+iso[3]!)}${iso[4] ? `T${pad2(+iso[4])}:${iso[5]}` : ''}`);
      else {
        const [a, b, c] = t.text.split(/[/.-]/).map(Number) as [number, number, number];
        dates.push(`${a}/${b}/${c < 100 ? 2000 + c : c}`);
      }
    } else if (t.type === 'time') {
      consumed[i] = 1;
      const m = /^(\d{1,2})(?::(\d{2}))?(?::\d{2})?\s?([ap])?/i.exec(t.lower)!;
      let hour = Number(m[1]);
      if (m[3] === 'p' && hour < 12) hour += 12;
      if (m[3] === 'a' && hour === 12) hour = 0;
      dates.push(`t:${pad2(hour)}:${m[2] ?? '00'}`);
    } else if (flags[i]! & W.month) {
      const month = MONTHS[t.lower]!;
      // Day before: `3 March`, `3rd of March`, `the third of March`.
      let before = i - 1;
      if (tokens[before]?.lower === 'of') before--;
      let dayBefore: number[] = [];
      if (isWordIn(tokens, consumed, before, ORDINAL_SUFFIXES) && intValue(tokens[before - 1]) !== null) dayBefore = [before - 1, before];
      else if (intValue(tokens[before]) !== null && !consumed[before]) dayBefore = [before];
      else if (isWordIn(tokens, consumed, before, ORDINALS)) dayBefore = [before];
      const dayBeforeValue = dayBefore.length ? (intValue(tokens[dayBefore[0]!]) ?? ORDINALS[tokens[dayBefore[0]!]!.lower]!) : null;
      // Day after: `March 3`, `March 3rd`.
      let dayAfter: number[] = [];
      const next = intValue(tokens[i + 1]);
      if (next !== null && next >= 1 && next <= 31 && !consumed[i + 1]) dayAfter = isWordIn(tokens, consumed, i + 2, ORDINAL_SUFFIXES) ? [i + 1, i + 2] : [i + 1];
      const dayTokens = dayAfter.length ? dayAfter : dayBeforeValue !== null && dayBeforeValue >= 1 && dayBeforeValue <= 31 ? dayBefore : [];
      const day = dayAfter.length ? next : dayTokens.length ? dayBeforeValue : null;
      let yearIndex = (dayAfter.length ? dayAfter[dayAfter.length - 1]! : i) + 1;
      if (tokens[yearIndex]?.text === ',') yearIndex++;
      const yearValue = intValue(tokens[yearIndex]);
      const year = yearValue !== null && yearValue >= 1900 && yearValue <= 2100 ? yearValue : null;
      if (AMBIGUOUS_MONTHS.has(t.lower)) {
        const capitalised = t.capitalised && !t.sentenceStart && !(titleCase ??= isTitleCase(source));
        const preposition = i > 0 && DATE_PREPOSITIONS.has(tokens[i - 1]!.lower);
        if (day === null && year === null && !capitalised && !(preposition && t.lower.length > 3)) continue;
      }
      consumed[i] = 1;
      for (const j of dayTokens) consumed[j] = 1;
      if (year !== null) consumed[yearIndex] = 1;
      if (day !== null && year !== null) dates.push(`${year}-${pad2(month)}-${pad2(day)}`);
      else if (day !== null) dates.push(`--${pad2(month)}-${pad2(day)}`);
      else if (year !== null) dates.push(`${year}-${pad2(month)}`);
      else dates.push(`m${pad2(month)}`);
    } else if (flags[i]! & W.weekday) {
      consumed[i] = 1;
      dates.push(`wd:${t.lower.replace(/s$/, '')}`);
    } else if (flags[i]! & W.relativeDay) {
      consumed[i] = 1;
      dates.push(`rel:${RELATIVE_DAYS[t.lower]}`);
    } else if (flags[i]! & W.periodic) {
      consumed[i] = 1;
      dates.push(`every:${PERIODIC[t.lower]}`);
    } else if (flags[i]! & W.relativeDirection) {
      let j = i + 1;
      const n = intValue(tokens[j]) ?? (tokens[j]?.type === 'word' && tokens[j]!.lower in NUMBER_WORDS ? NUMBER_WORDS[tokens[j]!.lower]! : null);
      if (n !== null) j++;
      if (tokens[j]?.type === 'word' && tokens[j]!.lower in UNIT_QUALIFIERS) j++;
      const period = tokens[j]?.type === 'word' ? PERIOD_WORDS[tokens[j]!.lower] : undefined;
      const direction = RELATIVE_DIRECTIONS[t.lower]!;
      if (period) {
        for (let k = i; k <= j; k++) consumed[k] = 1;
        dates.push(`rel:${direction}:${n !== null ? `${n} ` : ''}${period}`);
      } else if (tokens[i + 1] && (WEEKDAY_SET.has(tokens[i + 1]!.lower) || tokens[i + 1]!.lower in MONTHS)) {
        consumed[i] = 1;
        dates.push(`rel:${direction}`);
      }
    }
  }

  // Numbers, with the currency before them and the scale, unit or currency after.
  for (let i = 0; i < tokens.length; i++) {
    if (consumed[i]) continue;
    const t = tokens[i]!;
    let value: string | null = null;
    let end = i + 1;
    if (t.type === 'number') {
      const prev = tokens[i - 1];
      if (prev?.type === 'symbol' && prev.text === '#') {
        consumed[i] = 1;
        ids.push(`#${canonicalDecimal(t.text)}`);
        continue;
      }
      if (isWordIn(tokens, consumed, i + 1, ORDINAL_SUFFIXES)) {
        consumed[i] = consumed[i + 1] = 1;
        numbers.push(`ord:${canonicalDecimal(t.text)}`);
        continue;
      }
      value = canonicalDecimal(t.text);
    } else if (t.type === 'word' && !consumed[i]) {
      if (flags[i]! & W.ordinal) {
        consumed[i] = 1;
        numbers.push(`ord:${ORDINALS[t.lower]}`);
        continue;
      }
      if (!(flags[i]! & W.numberWord)) continue;
      const words = numberWords(tokens, i);
      if (!words) continue;
      value = formatNumber(words.value);
      end = words.end;
    } else continue;
    for (let k = i; k < end; k++) consumed[k] = 1;
    // Scale: 5k, 2 million, 1.2bn.
    const scaleToken = tokens[end];
    if (scaleToken?.type === 'word' && scaleToken.lower in SCALE_WORDS && !consumed[end]) {
      value = formatNumber(Number(value) * SCALE_WORDS[scaleToken.lower]!);
      consumed[end] = 1;
      end++;
    }
    let unit = '';
    let before = i - 1;
    const prev = tokens[before];
    if (prev && !consumed[before] && (prev.type === 'symbol' || prev.type === 'word') && prev.lower in CURRENCIES && prev.lower !== 'pounds' && prev.lower !== 'p') {
      unit = CURRENCIES[prev.lower]!;
      consumed[before--] = 1;
    }
    const comparator = comparatorBefore(tokens, before);
    const duration = DURATION_UNITS.has(unitAfter(tokens, consumed, end)?.unit ?? '');
    if (comparator && !(duration && tokens[comparator.start]!.lower === 'over')) {
      for (let k = comparator.start; k <= before; k++) consumed[k] = 1;
      value = comparator.op + value;
    }
    const after = unitAfter(tokens, consumed, end);
    if (after) {
      unit = unit ? `${unit} ${after.unit}` : after.unit;
      for (let k = end; k < after.end; k++) consumed[k] = 1;
    }
    numbers.push(unit ? `${value} ${unit}` : value);
  }

  // Ids, negations, polarities, names.
  const terms = new Map<string, string>();
  const words = new Set<string>();
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.type === 'id') {
      ids.push(t.lower);
      continue;
    }
    if (t.type === 'symbol' && t.text in SYMBOL_POLARITY) {
      polarity.add(SYMBOL_POLARITY[t.text]!);
      continue;
    }
    if (t.type !== 'word') continue;
    words.add(t.lower);
    words.add(t.term);
    if (consumed[i]) continue;
    const info = infos[i]!;
    const cue = info.negation;
    if (cue) {
      negations.push(`${cue}:${negatedTerm(tokens, i)}`);
      continue;
    }
    const affix = info.affix;
    if (affix !== null) {
      negations.push(`not:${affix}`);
      terms.set(affix, t.lower);
      t.term = affix;
      continue;
    }
    if (info.flags & W.limitSide && limitAhead(tokens, i)) polarity.add(LIMIT_SIDE[t.lower]!);
    if (info.flags & W.stopWord) continue;
    const pole = POLARITY.get(t.term);
    if (pole) polarity.add(pole);
    if (
      t.text.length > 1 &&
      t.capitalised &&
      !NOT_ENTITIES.has(t.lower) &&
      (!t.sentenceStart || (tokens[i + 1]?.type === 'word' && tokens[i + 1]!.capitalised && !tokens[i + 1]!.sentenceStart)) &&
      !(titleCase ??= isTitleCase(source))
    ) {
      entities.add(t.lower);
    }
    if (!terms.has(t.term)) terms.set(t.term, t.lower);
  }

  // A direction needs a `from` and a `to` in one clause.
  const directions = allFlags & W.from && allFlags & W.to ? fromTo(tokens, consumed) : [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    t.fact = consumed[i] === 1 || t.type === 'number' || t.type === 'id' || t.type === 'date' || t.type === 'time';
  }
  const quoted = new Set<string>();
  if (prepared.includes('"') || prepared.includes("'")) {
    for (const m of prepared.matchAll(/"([^"\n]{1,300})"|(?<![\p{L}\p{N}])'([^'\n]{2,200})'(?![\p{L}\p{N}])/gu)) {
      const q = (m[1] ?? m[2] ?? '').toLowerCase().replace(/\s+/g, ' ').replace(/[\s.,;:!?]+$/, '').trim();
      if (q) quoted.add(q);
    }
  }

  const factNumbers = ordered(numbers, numberKind);
  const factIds = ordered(ids, idKind);
  const factDates = ordered(dates, dateKind);
  const factNegations = sortStrings(negations);
  const factPolarity = sortStrings([...polarity]);
  const factQuoted = sortStrings([...quoted]);
  const key = hashText(
    [factNumbers, factIds, factDates, factNegations, factPolarity, factQuoted, directions].map((list) => list.join('\u0001')).join('\u0002'),
  );
  return {
    numbers: factNumbers,
    ids: factIds,
    dates: factDates,
    negations: factNegations,
    polarity: factPolarity,
    quoted: factQuoted,
    directions,
    entities: sortStrings([...entities]),
    terms: sortStrings([...terms.keys()]),
    surfaces: terms,
    words,
    key,
  };
}

/** The token at `j` is a word not yet part of a fact, and in `set`. */
function isWordIn(tokens: Token[], consumed: Uint8Array, j: number, set: ReadonlySet<string> | Readonly<Record<string, unknown>>): boolean {
  const t = tokens[j];
  if (!t || t.type !== 'word' || consumed[j]) return false;
  return set instanceof Set ? set.has(t.lower) : Object.hasOwn(set, t.lower);
}

/** The unit or currency a number is followed by, from token `j` (`%`, `kg`, `business d`, `usd`, `per cent`), and where it ends. */
function unitAfter(tokens: Token[], consumed: Uint8Array, j: number): { unit: string; end: number } | null {
  let k = j;
  let qualifier = '';
  if (tokens[k]?.type === 'word' && tokens[k]!.lower in UNIT_QUALIFIERS && tokens[k + 1]?.type === 'word' && tokens[k + 1]!.lower in UNITS) {
    qualifier = UNIT_QUALIFIERS[tokens[k]!.lower]!;
    k++;
  }
  const t = tokens[k];
  if (!t || consumed[k]) return null;
  if (t.type === 'symbol' && t.text === '%') return { unit: '%', end: k + 1 };
  if (t.type === 'word' && t.lower in UNITS) return { unit: qualifier + UNITS[t.lower]!, end: k + 1 };
  if (t.type === 'word' && t.lower in CURRENCIES) return { unit: CURRENCIES[t.lower]!, end: k + 1 };
  if (t.type === 'word' && t.lower === 'per' && tokens[k + 1]?.lower === 'cent') return { unit: '%', end: k + 2 };
  return null;
}

function distinct(list: string[]): string[] {
  return [...new Set(list)];
}

/**
 * Lists this short (a prompt's numbers, ids, dates, terms...) are sorted by
 * insertion, in place: faster than `Array.prototype.sort` and its
 * comparator calls at this size, and as stable.
 */
const SHORT_LIST = 32;

/** `list.sort()` (code-unit order), in place. */
function sortStrings(list: string[]): string[] {
  if (list.length > SHORT_LIST) return list.sort();
  for (let i = 1; i < list.length; i++) {
    const value = list[i]!;
    let j = i - 1;
    for (; j >= 0 && list[j]! > value; j--) list[j + 1] = list[j]!;
    list[j + 1] = value;
  }
  return list;
}

/**
 * Distinct values, grouped by kind (a number's unit, an id's prefix, a
 * date's form) with the order of first appearance kept inside each group:
 * `20% over 6 years` and `over 6 years at 20%` agree, `from 3pm to 5pm` and
 * `from 5pm to 3pm` do not.
 */
function ordered(list: string[], kind: (value: string) => string): string[] {
  if (list.length < 2) return list.slice();
  const values = distinct(list);
  if (values.length > SHORT_LIST) {
    return values
      .map((value, index) => ({ value, index, kind: kind(value) }))
      .sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : a.index - b.index))
      .map((x) => x.value);
  }
  // A stable insertion sort by kind: values of one kind keep their order of first appearance.
  const kinds = values.map(kind);
  for (let i = 1; i < values.length; i++) {
    const value = values[i]!;
    const k = kinds[i]!;
    let j = i - 1;
    for (; j >= 0 && kinds[j]! > k; j--) {
      values[j + 1] = values[j]!;
      kinds[j + 1] = kinds[j]!;
    }
    values[j + 1] = value;
    kinds[j + 1] = k;
  }
  return values;
}

const numberKind = (v: string) => (v.startsWith('ord:') ? 'ord' : v.replace(/^[<>=]*[\d.]+ ?/, ''));
const idKind = (v: string) => /^[#a-z]*/.exec(v)![0];
const dateKind = (v: string) => (/^\d/.test(v) || v.startsWith('--') ? 'date' : v.replace(/[:\d].*$/, ''));

/** `over 5 years` is a period, not a comparison. */
const DURATION_UNITS = new Set(['yr', 'mo', 'wk', 'd', 'h', 'min', 's', 'ms', 'business d', 'calendar d']);

const COMPARE_THAN: Readonly<Record<string, string>> = lexicon.table({
  more: '>', greater: '>', higher: '>', larger: '>', bigger: '>', over: '>', less: '<', fewer: '<', lower: '<', smaller: '<', under: '<',
});
const COMPARE_BEFORE: Readonly<Record<string, string>> = lexicon.table({
  over: '>', above: '>', exceeding: '>', exceeds: '>', exceed: '>', beyond: '>', under: '<', below: '<',
});

/** A comparator ending at token `end`: `more than`, `over`, `at least`, `up to`... */
function comparatorBefore(tokens: Token[], end: number): { op: string; start: number } | null {
  const t = tokens[end];
  if (!t || t.type !== 'word') return null;
  if (t.lower === 'than' && tokens[end - 1]?.lower && tokens[end - 1]!.lower in COMPARE_THAN) return { op: COMPARE_THAN[tokens[end - 1]!.lower]!, start: end - 1 };
  if (t.lower in COMPARE_BEFORE) return { op: COMPARE_BEFORE[t.lower]!, start: end };
  if (t.lower === 'least' && tokens[end - 1]?.lower === 'at') return { op: '>=', start: end - 1 };
  if (t.lower === 'most' && tokens[end - 1]?.lower === 'at') return { op: '<=', start: end - 1 };
  if (t.lower === 'to' && tokens[end - 1]?.lower === 'up') return { op: '<=', start: end - 1 };
  return null;
}

const FROM = new Set(['from']);
const TO = new Set(['to', 'into', 'onto', 'towards']);

/**
 * Source and destination in clauses that name both (`from Paris to Vienna`,
 * `to Acme from the escrow account`). An object is a name, an id, or the
 * content word after a determiner; `to` before a verb and `from <date>` are
 * not directions.
 */
function fromTo(tokens: Token[], consumed: Uint8Array): string[] {
  const out: string[] = [];
  const clauses = new Map<number, { from: number[]; to: number[] }>();
  tokens.forEach((t, i) => {
    if (t.type !== 'word' || (!FROM.has(t.lower) && !TO.has(t.lower))) return;
    const c = clauses.get(t.clause) ?? { from: [], to: [] };
    (FROM.has(t.lower) ? c.from : c.to).push(i);
    clauses.set(t.clause, c);
  });
  for (const { from, to } of clauses.values()) {
    const sources = from.map((i) => objectOf(tokens, consumed, i)).filter((o) => o !== null);
    const targets = to.map((i) => objectOf(tokens, consumed, i)).filter((o) => o !== null);
    if (sources.length === 0 || targets.length === 0) continue;
    for (const o of sources) out.push(`from:${o}`);
    for (const o of targets) out.push(`to:${o}`);
  }
  return out.sort();
}

const DETERMINERS = new Set(['the', 'a', 'an', 'our', 'their', 'his', 'her', 'its', 'this', 'that', 'these', 'those', 'my', 'your']);

function objectOf(tokens: Token[], consumed: Uint8Array, i: number): string | null {
  let j = i + 1;
  const t = tokens[j];
  if (!t || t.clause !== tokens[i]!.clause || consumed[j]) return null;
  if (t.type === 'id') return t.lower;
  if (t.type !== 'word') return null;
  if (t.capitalised && !isStopWord(t.lower)) return t.term;
  if (!DETERMINERS.has(t.lower)) return null;
  for (j++; j < tokens.length && tokens[j]!.clause === t.clause; j++) {
    const w = tokens[j]!;
    if (w.type === 'id') return w.lower;
    if (w.type === 'word' && !isStopWord(w.lower) && !consumed[j]) return w.term;
  }
  return null;
}

/** The term a negation cue scopes over: the next content word or fact in its clause. */
function negatedTerm(tokens: Token[], i: number): string {
  const clause = tokens[i]!.clause;
  for (let j = i + 1; j < tokens.length && tokens[j]!.clause === clause; j++) {
    const t = tokens[j]!;
    if (t.type === 'number' || t.type === 'id' || t.type === 'date' || t.type === 'time') return t.lower;
    if (t.type !== 'word' || isStopWord(t.lower) || t.lower in NEGATION_CUES || MODALS.has(t.lower)) continue;
    return affixNegative(t.lower) ?? t.term;
  }
  return '_';
}

const AFFIX_START = /^(?:un|in|im|ir|il|dis|non)/;

/** `unpaid` -> the term of `paid`; null for a word that is not an affixal negative. */
function affixNegative(lower: string): string | null {
  if (!AFFIX_START.test(lower)) return null;
  const joined = lower.replace(/-/g, '');
  const listed = AFFIX_NEGATIVES[joined];
  if (listed) return canonicalTerm(listed);
  if (/^non-?[a-z]{4,}$/.test(lower)) return canonicalTerm(lower.replace(/^non-?/, ''));
  return null;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Damerau-Levenshtein distance capped at 2 (enough to tell 0, 1 and more). */
export function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 1) return 2;
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    rows.push(new Array<number>(b.length + 1).fill(0));
    rows[i]![0] = i;
  }
  for (let j = 0; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = d;
    }
  }
  return Math.min(2, rows[a.length]![b.length]!);
}

/** A misspelling: five letters or more, same first letter, one edit apart. */
export function isMisspelling(a: string, b: string): boolean {
  return Math.min(a.length, b.length) >= 5 && a[0] === b[0] && editDistance(a, b) === 1;
}

const WEAK = new Set(WEAK_TERMS.map((w) => canonicalTerm(w)));

/**
 * Content terms agree when, after pairing misspellings (one edit, same first
 * letter, five letters or more) and dropping misspelt stop words, at most one
 * term is left over and it is a weak term (a pronoun, `would`, `what`, a
 * generic verb of asking: see WEAK_TERMS). A substituted word, an added
 * content word or two extra words make a different request.
 */
export function termsMatch(a: Facts, b: Facts): boolean {
  let onlyA = a.terms.filter((t) => !b.surfaces.has(t));
  let onlyB = b.terms.filter((t) => !a.surfaces.has(t));
  if (onlyA.length + onlyB.length === 0) return true;
  if (onlyA.length + onlyB.length > 3) return false;
  for (const x of [...onlyA]) {
    const sx = a.surfaces.get(x)!;
    const y = onlyB.find((t) => isMisspelling(sx, b.surfaces.get(t)!));
    if (y !== undefined) {
      onlyA = onlyA.filter((t) => t !== x);
      onlyB = onlyB.filter((t) => t !== y);
    }
  }
  const misspeltStopWord = (surface: string, other: Facts) => [...other.words].some((w) => isStopWord(w) && isMisspelling(surface, w));
  onlyA = onlyA.filter((t) => !misspeltStopWord(a.surfaces.get(t)!, b));
  onlyB = onlyB.filter((t) => !misspeltStopWord(b.surfaces.get(t)!, a));
  const left = [...onlyA, ...onlyB];
  return left.length === 0 || (left.length === 1 && WEAK.has(left[0]!));
}

/** The first guard that tells two prompts' facts apart, or null when all agree. */
export function factsVerdict(a: Facts, b: Facts): GuardKind | null {
  if (!sameList(a.numbers, b.numbers)) return 'number';
  if (!sameList(a.ids, b.ids)) return 'id';
  if (!sameList(a.dates, b.dates)) return 'date';
  if (!sameList(a.negations, b.negations)) return 'negation';
  if (!sameList(a.polarity, b.polarity)) return 'polarity';
  if (!sameList(a.quoted, b.quoted)) return 'quoted';
  if (!sameList(a.directions, b.directions)) return 'direction';
  if (!a.entities.every((e) => b.words.has(e)) || !b.entities.every((e) => a.words.has(e))) return 'entity';
  if (!termsMatch(a, b)) return 'terms';
  return null;
}

/** Facts of a raw prompt. */
export function factsOf(text: string): Facts {
  const canonical = canonicalText(text);
  const prepared = prepareCanonical(canonical);
  return extractFacts(tokenize(prepared), prepared, canonical);
}

/** Which guard blocks serving `a`'s answer for `b`, or null when none does. */
export function guardVerdict(a: string, b: string): GuardKind | null {
  return factsVerdict(factsOf(a), factsOf(b));
}

/** True only when every fact set agrees (numbers, ids, dates, negations, polarities, quotes, names, terms). */
export function guardsMatch(a: string, b: string): boolean {
  return guardVerdict(a, b) === null;
}
