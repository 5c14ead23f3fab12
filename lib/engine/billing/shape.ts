/**
 * Small validators for provider JSON. Each names the field it rejects by its
 * path from the root the caller gave (see BillingFormatError).
 */
import { isStorableText, UNSTORABLE_TEXT_MESSAGE } from '../storable-text';
import { describeValue } from './decimal';
import { BillingFormatError } from './errors';

export type Json = Record<string, unknown>;

export const key = (path: string, name: string) => (path ? `${path}.${name}` : name);
export const index = (path: string, i: number) => `${path}[${i}]`;

export function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function record(value: unknown, path: string): Json {
  if (!isRecord(value)) throw new BillingFormatError(path, `expected an object, got ${describeValue(value)}`);
  return value;
}

export function list(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw new BillingFormatError(path, `expected an array, got ${describeValue(value)}`);
  return value;
}

/** A string field that may be absent or null; an empty string counts as null. */
export function optionalString(parent: Json, name: string, path: string): string | null {
  const value = parent[name];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new BillingFormatError(key(path, name), `expected a string or null, got ${describeValue(value)}`);
  const trimmed = value.trim();
  if (trimmed.length > 500) throw new BillingFormatError(key(path, name), 'is longer than 500 characters');
  if (!isStorableText(trimmed)) throw new BillingFormatError(key(path, name), UNSTORABLE_TEXT_MESSAGE);
  return trimmed === '' ? null : trimmed;
}

export function optionalBoolean(parent: Json, name: string, path: string): boolean | null {
  const value = parent[name];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'boolean') throw new BillingFormatError(key(path, name), `expected true, false or null, got ${describeValue(value)}`);
  return value;
}

/** A token or request count: a non-negative integer; absent or null reads as `fallback` when one is given. */
export function count(parent: Json, name: string, path: string, fallback?: number): number {
  const value = parent[name];
  if ((value === undefined || value === null) && fallback !== undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new BillingFormatError(key(path, name), `expected a non-negative integer, got ${describeValue(value)}`);
  }
  return value;
}

/** Checks an `object` discriminator when present: a usage page sent as costs fails here. */
export function expectObjectTag(parent: Json, expected: string, path: string, required = false): void {
  const value = parent.object;
  if (value === undefined && !required) return;
  if (value !== expected) {
    throw new BillingFormatError(key(path, 'object'), `expected ${JSON.stringify(expected)}, got ${describeValue(value)}`);
  }
}

export interface Page {
  page: Json;
  path: string;
}

/** One page or an array of pages (in order), each with its path. */
export function pagesOf(data: unknown, root: string): Page[] {
  if (Array.isArray(data)) {
    if (data.length === 0) throw new BillingFormatError(root, 'expected a page or a non-empty array of pages');
    return data.map((page, i) => ({ page: record(page, index(root, i)), path: index(root, i) }));
  }
  return [{ page: record(data, root), path: root }];
}

/** `has_more` and `next_page` of the last page: whether the export continues past what was sent. */
export function continuation(pages: Page[]): { hasMore: boolean; nextPage: string | null } {
  let hasMore = false;
  let nextPage: string | null = null;
  for (const { page, path } of pages) {
    const more = page.has_more;
    if (more !== undefined && more !== null && typeof more !== 'boolean') {
      throw new BillingFormatError(key(path, 'has_more'), `expected true or false, got ${describeValue(more)}`);
    }
    hasMore = more === true;
    nextPage = optionalString(page, 'next_page', path);
  }
  return { hasMore, nextPage };
}

const DAY_MS = 86_400_000;
/** Unix seconds accepted as a bucket bound: 2015-01-01 to 2100-01-01. */
const MIN_SECONDS = 1_420_070_400;
const MAX_SECONDS = 4_102_444_800;

/** A bucket's UTC day, checking that it is one day or shorter and does not cross UTC midnight. */
export function bucketDay(startMs: number, endMs: number, startPath: string, endPath: string): string {
  if (endMs <= startMs) throw new BillingFormatError(endPath, 'must be after the bucket start');
  if (endMs - startMs > DAY_MS) throw new BillingFormatError(endPath, 'buckets longer than one day cannot be mapped to a day');
  const day = Math.floor(startMs / DAY_MS);
  if (Math.floor((endMs - 1) / DAY_MS) !== day) {
    throw new BillingFormatError(startPath, 'bucket crosses UTC midnight: request daily buckets that start at 00:00 UTC');
  }
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export function unixSeconds(parent: Json, name: string, path: string): number {
  const value = parent[name];
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new BillingFormatError(key(path, name), `expected Unix seconds (an integer), got ${describeValue(value)}`);
  }
  if (value < MIN_SECONDS || value > MAX_SECONDS) throw new BillingFormatError(key(path, name), `is not a plausible time: ${value}`);
  return value * 1000;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

export function rfc3339(parent: Json, name: string, path: string): number {
  const value = parent[name];
  const field = key(path, name);
  if (typeof value !== 'string') throw new BillingFormatError(field, `expected an RFC 3339 time, got ${describeValue(value)}`);
  const match = RFC3339.exec(value);
  const ms = Date.parse(value);
  if (!match || Number.isNaN(ms)) throw new BillingFormatError(field, `expected an RFC 3339 time, got ${describeValue(value)}`);
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59) {
    throw new BillingFormatError(field, `is not a valid date and time: ${JSON.stringify(value)}`);
  }
  if (ms < MIN_SECONDS * 1000 || ms > MAX_SECONDS * 1000) throw new BillingFormatError(field, `is not a plausible time: ${value}`);
  return ms;
}

/** Rejects a bucket start seen before: overlapping pages would count a day twice. */
export function uniqueBucket(seen: Set<number>, startMs: number, path: string): void {
  if (seen.has(startMs)) throw new BillingFormatError(path, 'this bucket appears twice: the pages overlap');
  seen.add(startMs);
}
