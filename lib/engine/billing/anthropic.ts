/**
 * Anthropic Admin API cost and usage reports, normalised to billing lines.
 *
 *   GET /v1/organizations/cost_report             { data: [bucket], has_more, next_page }
 *   GET /v1/organizations/usage_report/messages   the same envelope, with usage results
 *
 * A bucket is `{ starting_at, ending_at, results }` with RFC 3339 times.
 * Cost results carry `currency: "USD"` and `amount`, a decimal string in
 * CENTS ("123.45" is $1.2345), plus `workspace_id`, `description`,
 * `cost_type`, `context_window`, `model`, `service_tier` and `token_type`
 * when grouped by description. Usage results carry `uncached_input_tokens`,
 * `cache_read_input_tokens`, `cache_creation: { ephemeral_5m_input_tokens,
 * ephemeral_1h_input_tokens }` and `output_tokens` (disjoint buckets), with
 * `model`, `workspace_id`, `api_key_id`, `service_tier`, `context_window`
 * when grouped by them.
 */
import { centsStringToNano, describeValue } from './decimal';
import { BillingFormatError } from './errors';
import { LineCollector } from './lines';
import { anthropicDirection } from './models';
import {
  bucketDay,
  count,
  index,
  key,
  list,
  optionalString,
  pagesOf,
  record,
  rfc3339,
  uniqueBucket,
  type Json,
  type Page,
} from './shape';
import { NO_USAGE_COUNTS, type ParsedBillingExport } from './types';

interface Bucket {
  day: string;
  start: string;
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
    if (page.object !== undefined) {
      throw new BillingFormatError(key(path, 'object'), `Anthropic reports have no "object" field (got ${describeValue(page.object)}): is this an OpenAI page?`);
    }
    list(page.data, key(path, 'data')).forEach((raw, i) => {
      const bucketPath = index(key(path, 'data'), i);
      const bucket = record(raw, bucketPath);
      const start = rfc3339(bucket, 'starting_at', bucketPath);
      const end = rfc3339(bucket, 'ending_at', bucketPath);
      const day = bucketDay(start, end, key(bucketPath, 'starting_at'), key(bucketPath, 'ending_at'));
      uniqueBucket(seen, start, key(bucketPath, 'starting_at'));
      const resultsPath = key(bucketPath, 'results');
      const results = list(bucket.results, resultsPath).map((r, j) => ({ result: record(r, index(resultsPath, j)), path: index(resultsPath, j) }));
      out.push({ day, start: new Date(start).toISOString(), startMs: start, endMs: end, path: bucketPath, results });
    });
  }
  return { pages, buckets: out };
}

/** `GET /v1/organizations/cost_report`: one line per day, workspace and cost description. */
export function parseAnthropicCostReport(data: unknown, root = ''): ParsedBillingExport {
  const { pages, buckets: all } = buckets(data, root);
  const lines = new LineCollector();
  for (const bucket of all) {
    lines.bucket(bucket.day, bucket.startMs, bucket.endMs, bucket.path);
    for (const { result, path } of bucket.results) {
      // The schema defaults currency to USD; any other currency is refused rather than booked as dollars.
      const currency = result.currency ?? 'USD';
      if (typeof currency !== 'string' || currency.toUpperCase() !== 'USD') {
        throw new BillingFormatError(key(path, 'currency'), `unknown currency ${JSON.stringify(currency)}: Tollgate books USD`);
      }
      const amountNano = centsStringToNano(result.amount, key(path, 'amount'));
      const description = optionalString(result, 'description', path);
      const costType = optionalString(result, 'cost_type', path);
      const tokenType = optionalString(result, 'token_type', path);
      const contextWindow = optionalString(result, 'context_window', path);
      const serviceTier = optionalString(result, 'service_tier', path);
      const lineItem = description ?? ([costType, tokenType, contextWindow, serviceTier].filter(Boolean).join(', ') || 'total');
      lines.add(
        {
          provider: 'anthropic',
          kind: 'cost',
          day: bucket.day,
          modelName: optionalString(result, 'model', path),
          externalProjectId: optionalString(result, 'workspace_id', path),
          lineItem,
          direction: anthropicDirection(tokenType),
          amountNano,
          currency: 'USD',
          ...NO_USAGE_COUNTS,
          sources: [{ starting_at: bucket.start, ...result }],
        },
        path,
      );
    }
  }
  return lines.finish('anthropic', 'costs', pages);
}

/** `GET /v1/organizations/usage_report/messages`: billed token counts per day, model and workspace. */
export function parseAnthropicUsageReport(data: unknown, root = ''): ParsedBillingExport {
  const { pages, buckets: all } = buckets(data, root);
  const lines = new LineCollector();
  for (const bucket of all) {
    lines.bucket(bucket.day, bucket.startMs, bucket.endMs, bucket.path);
    for (const { result, path } of bucket.results) {
      let cacheWrite = 0;
      if (result.cache_creation !== undefined && result.cache_creation !== null) {
        const creationPath = key(path, 'cache_creation');
        const creation = record(result.cache_creation, creationPath);
        cacheWrite = count(creation, 'ephemeral_5m_input_tokens', creationPath, 0) + count(creation, 'ephemeral_1h_input_tokens', creationPath, 0);
      }
      if (result.uncached_input_tokens === undefined && result.amount !== undefined) {
        throw new BillingFormatError(key(path, 'uncached_input_tokens'), 'missing: is this a cost report?');
      }
      const serviceTier = optionalString(result, 'service_tier', path);
      const contextWindow = optionalString(result, 'context_window', path);
      lines.add(
        {
          provider: 'anthropic',
          kind: 'usage',
          day: bucket.day,
          modelName: optionalString(result, 'model', path),
          externalProjectId: optionalString(result, 'workspace_id', path),
          lineItem: ['messages usage', serviceTier, contextWindow].filter(Boolean).join(', '),
          direction: null,
          amountNano: 0n,
          currency: 'USD',
          inputTokens: count(result, 'uncached_input_tokens', path),
          cachedInputTokens: count(result, 'cache_read_input_tokens', path, 0),
          cacheWriteTokens: cacheWrite,
          outputTokens: count(result, 'output_tokens', path),
          requests: null,
          sources: [{ starting_at: bucket.start, ...result }],
        },
        path,
      );
    }
  }
  return lines.finish('anthropic', 'usage', pages);
}
