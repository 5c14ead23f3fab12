/**
 * Prompt fingerprints for the loop guard: cheap enough to take on every
 * gateway call (one pass over the text, no allocation per word), and enough
 * to say whether two prompts are near-identical.
 *
 * A fingerprint holds
 * - two independent 32-bit hashes of the exact text (and its length): equal
 *   hashes mean the same prompt;
 * - a facts hash over the words that contain a digit (numbers, ids, dates),
 *   in order: prompts that differ in those are different requests (claim 1234
 *   and claim 1235), however alike the rest reads, so a batch job that walks
 *   a template over many items is never taken for a loop;
 * - a bottom-k sketch: the `SKETCH_SIZE` smallest distinct hashes of the
 *   prompt's words (ASCII case-folded; split on anything but letters and
 *   digits; each CJK character a word of its own).
 *
 * Similarity is the Dice coefficient of the two distinct-word sets,
 * `2|A∩B| / (|A| + |B|)`: exact when both sets fit the sketch, else the
 * bottom-k estimate of Jaccard over the union's smallest hashes, turned into
 * Dice (`2J / (1 + J)`). Word order does not count; one word changed in
 * twenty gives 0.95, two give 0.90.
 *
 * Only the first and last `SCAN_HALF` characters of a very long prompt are
 * read (its length still counts in the exact hash): the new content of a
 * prompt is at its end, and the cost stays bounded.
 */

export const SKETCH_SIZE = 64;
export const SCAN_HALF = 8_192;

export interface PromptFingerprint {
  exactA: number;
  exactB: number;
  facts: number;
  factCount: number;
  /** Ascending distinct 31-bit word hashes, at most `SKETCH_SIZE` (a plain array: a typed array per prompt costs more to allocate than to fill). */
  sketch: number[];
  /** True when the sketch holds every distinct word of the prompt. */
  complete: boolean;
}

/** Seeds as signed 32-bit integers, so every hash stays an int32 in the hot loop and is never boxed as a double. */
const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;
const MURMUR_M = 0x5bd1e995;

let scratch = new Uint32Array(512);

const SEPARATOR = 0;
const WORD = 1;
const IDEOGRAPH = 2;

/** A non-ASCII character's class: general and CJK punctuation and spaces separate; CJK, kana and hangul stand alone. */
function wideClass(c: number): number {
  if (c === 0xa0 || (c >= 0x2000 && c <= 0x206f) || (c >= 0x3000 && c <= 0x303f) || (c >= 0xff00 && c <= 0xff0f)) return SEPARATOR;
  if ((c >= 0x2e80 && c <= 0x9fff) || (c >= 0xac00 && c <= 0xd7af) || (c >= 0xf900 && c <= 0xfaff)) return IDEOGRAPH;
  return WORD;
}

/** Appends a word hash to the scratch buffer, growing it when full; returns the new count. */
function push(count: number, hash: number): number {
  if (count === scratch.length) {
    const grown = new Uint32Array(count * 2);
    grown.set(scratch);
    scratch = grown;
  }
  scratch[count] = hash;
  return count + 1;
}

export function fingerprint(text: string): PromptFingerprint {
  const n = text.length;
  const long = n > 2 * SCAN_HALF;
  let exactA = FNV_OFFSET;
  let exactB = 0x9747b28c | 0;
  let facts = FNV_OFFSET;
  let factCount = 0;
  let words = 0;
  let word = FNV_OFFSET;
  let inWord = false;
  let digit = false;

  // One step past the end (and past the skipped middle of a long prompt) reads as a separator.
  for (let i = 0; i <= n; i++) {
    let c = 32;
    if (long && i === SCAN_HALF) i = n - SCAN_HALF - 1;
    else if (i < n) {
      c = text.charCodeAt(i);
      exactA = Math.imul(exactA ^ c, FNV_PRIME);
      exactB = Math.imul(exactB ^ c, MURMUR_M) ^ (exactB >>> 15);
      if (c >= 65 && c <= 90) c += 32;
    }
    const kind = c < 128 ? ((c >= 97 && c <= 122) || (c >= 48 && c <= 57) ? WORD : SEPARATOR) : wideClass(c);
    if (kind === WORD) {
      word = Math.imul(word ^ c, FNV_PRIME);
      inWord = true;
      if (c <= 57) digit = true;
      continue;
    }
    if (inWord) {
      const h = word >>> 1;
      words = push(words, h);
      if (digit) {
        facts = Math.imul(facts ^ h, FNV_PRIME);
        factCount++;
      }
      word = FNV_OFFSET;
      inWord = false;
      digit = false;
    }
    if (kind === IDEOGRAPH) words = push(words, Math.imul(FNV_OFFSET ^ c, FNV_PRIME) >>> 1);
  }
  exactA = Math.imul(exactA ^ n, FNV_PRIME) >>> 0;
  exactB = (Math.imul(exactB ^ n, MURMUR_M) ^ (exactB >>> 13)) >>> 0;

  const sorted = scratch.subarray(0, words);
  if (words <= 48) insertionSort(sorted);
  else sorted.sort();
  let distinct = 0;
  let complete = true;
  const sketch: number[] = [];
  for (let i = 0; i < words; i++) {
    if (i > 0 && sorted[i] === sorted[i - 1]) continue;
    if (distinct === SKETCH_SIZE) {
      complete = false;
      break;
    }
    sketch.push(sorted[i]!);
    distinct++;
  }
  return {
    exactA,
    exactB,
    facts: facts >>> 0,
    factCount,
    sketch,
    complete,
  };
}

/** Small arrays sort faster by insertion than through the native sort's call overhead. */
function insertionSort(a: Uint32Array): void {
  for (let i = 1; i < a.length; i++) {
    const v = a[i]!;
    let j = i - 1;
    while (j >= 0 && a[j]! > v) {
      a[j + 1] = a[j]!;
      j--;
    }
    a[j + 1] = v;
  }
}

export function sameText(a: PromptFingerprint, b: PromptFingerprint): boolean {
  return a.exactA === b.exactA && a.exactB === b.exactB;
}

/** Dice similarity of the two prompts' word sets in [0, 1]; 1 for the same text. */
export function similarity(a: PromptFingerprint, b: PromptFingerprint): number {
  if (sameText(a, b)) return 1;
  const sa = a.sketch;
  const sb = b.sketch;
  if (sa.length === 0 || sb.length === 0) return 0;
  let i = 0;
  let j = 0;
  let both = 0;
  if (a.complete && b.complete) {
    while (i < sa.length && j < sb.length) {
      const x = sa[i]!;
      const y = sb[j]!;
      if (x === y) {
        both++;
        i++;
        j++;
      } else if (x < y) i++;
      else j++;
    }
    return (2 * both) / (sa.length + sb.length);
  }
  // Bottom-k: the union's SKETCH_SIZE smallest hashes, and how many of them both sets hold.
  let taken = 0;
  while (taken < SKETCH_SIZE && (i < sa.length || j < sb.length)) {
    const x = i < sa.length ? sa[i]! : Infinity;
    const y = j < sb.length ? sb[j]! : Infinity;
    if (x === y) {
      both++;
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
    taken++;
  }
  const jaccard = both / taken;
  return (2 * jaccard) / (1 + jaccard);
}

/** The same text, or the same facts and a word-set similarity of at least `threshold`. */
export function nearIdentical(a: PromptFingerprint, b: PromptFingerprint, threshold: number): boolean {
  if (sameText(a, b)) return true;
  if (a.facts !== b.facts || a.factCount !== b.factCount) return false;
  return similarity(a, b) >= threshold;
}
