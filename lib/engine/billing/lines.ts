import { BillingFormatError } from './errors';
import type { BillingLineDraft, BillingProvider, DayCoverage, ParsedBillingExport } from './types';
import type { Page } from './shape';
import { continuation } from './shape';

const addCount = (a: number | null, b: number | null, path: string): number | null => {
  if (a === null) return b;
  if (b === null) return a;
  const sum = a + b;
  if (!Number.isSafeInteger(sum)) throw new BillingFormatError(path, 'token or request counts add up past 2^53');
  return sum;
};

/** The billing_lines key: provider, day, model, provider project, line item. */
export function lineKey(line: Pick<BillingLineDraft, 'day' | 'modelName' | 'externalProjectId' | 'lineItem'>): string {
  return JSON.stringify([line.day, line.modelName, line.externalProjectId, line.lineItem]);
}

/**
 * Collects lines, summing those with the same key (hourly buckets of one day,
 * results split by API key or user, which the billing key does not keep).
 */
export class LineCollector {
  private readonly lines = new Map<string, BillingLineDraft>();
  private readonly covered: { day: string; startMs: number; endMs: number; path: string }[] = [];
  results = 0;

  /** Counts a bucket (with or without results: an empty one still says the time it covers had nothing). */
  bucket(day: string, startMs: number, endMs: number, path: string): void {
    this.covered.push({ day, startMs, endMs, path });
  }

  /**
   * Per UTC day, the span the buckets cover. A later import replaces what an
   * earlier one said about the time it covers, so the span must be whole:
   * buckets that leave a gap (a page left out) or overlap are refused.
   */
  private coverage(): DayCoverage[] {
    const sorted = [...this.covered].sort((a, b) => a.startMs - b.startMs);
    const days: DayCoverage[] = [];
    for (const [i, b] of sorted.entries()) {
      const last = days[days.length - 1];
      if (!last || last.day !== b.day) {
        days.push({ day: b.day, fromMs: b.startMs, toMs: b.endMs });
        continue;
      }
      const previous = sorted[i - 1]!;
      if (b.startMs < last.toMs) throw new BillingFormatError(b.path, `overlaps the bucket at ${previous.path}: the pages overlap`);
      if (b.startMs > last.toMs) {
        throw new BillingFormatError(
          b.path,
          `leaves ${new Date(last.toMs).toISOString()} to ${new Date(b.startMs).toISOString()} uncovered on ${b.day}: send every page of the export (a later import replaces what an earlier one said about the time it covers, so a gap cannot be told from a time with no spend)`,
        );
      }
      last.toMs = b.endMs;
    }
    return days;
  }

  add(line: BillingLineDraft, path: string): void {
    this.results += 1;
    const id = lineKey(line);
    const existing = this.lines.get(id);
    if (!existing) {
      this.lines.set(id, line);
      return;
    }
    existing.amountNano += line.amountNano;
    existing.inputTokens = addCount(existing.inputTokens, line.inputTokens, path);
    existing.cachedInputTokens = addCount(existing.cachedInputTokens, line.cachedInputTokens, path);
    existing.cacheWriteTokens = addCount(existing.cacheWriteTokens, line.cacheWriteTokens, path);
    existing.outputTokens = addCount(existing.outputTokens, line.outputTokens, path);
    existing.requests = addCount(existing.requests, line.requests, path);
    if (existing.direction !== line.direction) existing.direction = null;
    existing.sources.push(...line.sources);
  }

  finish(provider: BillingProvider, format: ParsedBillingExport['format'], pages: Page[]): ParsedBillingExport {
    const lines = [...this.lines.values()].sort((a, b) => (lineKey(a) < lineKey(b) ? -1 : lineKey(a) > lineKey(b) ? 1 : 0));
    const days = lines.map((l) => l.day).sort();
    return {
      provider,
      format,
      lines,
      pages: pages.length,
      buckets: this.covered.length,
      results: this.results,
      ...continuation(pages),
      firstDay: days[0] ?? null,
      lastDay: days[days.length - 1] ?? null,
      coverage: this.coverage(),
    };
  }
}
