/**
 * OpenAI organisation Costs and Usage API pages, normalised to billing lines.
 *
 *   GET /v1/organization/costs             { object: "page", data: [bucket], has_more, next_page }
 *   GET /v1/organization/usage/completions the same page, with usage results
 *
 * A bucket is `{ object: "bucket", start_time, end_time, results }` with Unix
 * seconds. Costs results carry `amount: { value: <dollars, a JSON number>,
 * currency: "usd" }` and, when grouped by them, `line_item`
 * ("gpt-4o-mini-2024-07-18, input") and `project_id`. Completions results
 * carry `input_tokens` (cached tokens included), `input_cached_tokens`,
 * `output_tokens`, `num_model_requests` and, when grouped by them,
 * `project_id`, `model`, `batch`, `api_key_id`, `user_id`.
 */
import { dollarNumberToNano } from './decimal';
import { BillingFormatError } from './errors';
import { LineCollector } from './lines';
import { splitOpenAiLineItem } from './models';
import {
  bucketDay,
  count,
  expectObjectTag,
  index,
  key,
  list,
  optionalBoolean,
  optionalString,
  pagesOf,
  record,
  uniqueBucket,
  unixSeconds,
  type Json,
  type Page,
} from './shape';
import { NO_USAGE_COUNTS, type ParsedBillingExport } from './types';

interface Bucket {
  day: string;
  start: number;
  startMs: number;
  endMs: number;
  path: string;
  results: { result: Json; path: string }[];
}

function buckets(data: unknown, root: string): { pages: Page[]; buckets: Bucket[] } {
  const pages = pagesOf(data, root);
  const seen = new Set<number>();
  const out: Bucket[] = [];
  for (const { page, path } of pages) {
    expectObjectTag(page, 'page', path);
    list(page.data, key(path, 'data')).forEach((raw, i) => {
      const bucketPath = index(key(path, 'data'), i);
      const bucket = record(raw, bucketPath);
      expectObjectTag(bucket, 'bucket', bucketPath);
      const start = unixSeconds(bucket, 'start_time', bucketPath);
      const end = unixSeconds(bucket, 'end_time', bucketPath);
      const day = bucketDay(start, end, key(bucketPath, 'start_time'), key(bucketPath, 'end_time'));
      uniqueBucket(seen, start, key(bucketPath, 'start_time'));
      const resultsPath = key(bucketPath, 'results');
      const results = list(bucket.results, resultsPath).map((r, j) => ({ result: record(r, index(resultsPath, j)), path: index(resultsPath, j) }));
      out.push({ day, start: start / 1000, startMs: start, endMs: end, path: bucketPath, results });
    });
  }
  return { pages, buckets: out };
}

/** `GET /v1/organization/costs` pages: one line per day, line item and project. */
export function parseOpenAiCosts(data: unknown, root = ''): ParsedBillingExport {
  const { pages, buckets: all } = buckets(data, root);
  const lines = new LineCollector();
  for (const bucket of all) {
    lines.bucket(bucket.day, bucket.startMs, bucket.endMs, bucket.path);
    for (const { result, path } of bucket.results) {
      expectObjectTag(result, 'organization.costs.result', path);
      const amountPath = key(path, 'amount');
      const amount = record(result.amount, amountPath);
      const currency = amount.currency;
      if (typeof currency !== 'string' || currency.toLowerCase() !== 'usd') {
        throw new BillingFormatError(key(amountPath, 'currency'), `unknown currency ${JSON.stringify(currency ?? null)}: Tollgate books USD`);
      }
      const amountNano = dollarNumberToNano(amount.value, key(amountPath, 'value'));
      const lineItem = optionalString(result, 'line_item', path);
      const { modelName, direction } = splitOpenAiLineItem(lineItem);
      lines.add(
        {
          provider: 'openai',
          kind: 'cost',
          day: bucket.day,
          modelName,
          externalProjectId: optionalString(result, 'project_id', path),
          lineItem: lineItem ?? 'total',
          direction,
          amountNano,
          currency: 'USD',
          ...NO_USAGE_COUNTS,
          sources: [{ start_time: bucket.start, ...result }],
        },
        path,
      );
    }
  }
  return lines.finish('openai', 'costs', pages);
}

/** `GET /v1/organization/usage/completions` pages: billed token counts per day, model and project. */
export function parseOpenAiUsage(data: unknown, root = ''): ParsedBillingExport {
  const { pages, buckets: all } = buckets(data, root);
  const lines = new LineCollector();
  for (const bucket of all) {
    lines.bucket(bucket.day, bucket.startMs, bucket.endMs, bucket.path);
    for (const { result, path } of bucket.results) {
      expectObjectTag(result, 'organization.usage.completions.result', path);
      const input = count(result, 'input_tokens', path);
      const cached = count(result, 'input_cached_tokens', path, 0);
      if (cached > input) throw new BillingFormatError(key(path, 'input_cached_tokens'), 'is larger than input_tokens, which includes it');
      const batch = optionalBoolean(result, 'batch', path);
      const serviceTier = optionalString(result, 'service_tier', path);
      lines.add(
        {
          provider: 'openai',
          kind: 'usage',
          day: bucket.day,
          modelName: optionalString(result, 'model', path),
          externalProjectId: optionalString(result, 'project_id', path),
          lineItem: ['completions usage', batch ? 'batch' : null, serviceTier].filter(Boolean).join(', '),
          direction: null,
          amountNano: 0n,
          currency: 'USD',
          inputTokens: input - cached,
          cachedInputTokens: cached,
          cacheWriteTokens: null,
          outputTokens: count(result, 'output_tokens', path),
          requests: count(result, 'num_model_requests', path),
          sources: [{ start_time: bucket.start, ...result }],
        },
        path,
      );
    }
  }
  return lines.finish('openai', 'usage', pages);
}
