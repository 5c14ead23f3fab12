/**
 * Offline cross-check of the shipped price feed (pydantic/genai-prices)
 * against BerriAI/litellm's model price map: prints the models whose input,
 * output or cache prices differ, as Tollgate would bill them.
 *
 *   npx tsx scripts/prices-crosscheck.ts <litellm model_prices json> [--feed <genai-prices json>] [--at YYYY-MM-DD]
 *
 * A development tool, not a test and not part of the product: litellm has
 * known errors (one-hour cache writes of claude-3-5-haiku and claude-3-opus,
 * for one), so a difference is a question to check against the provider's
 * price page, not a verdict. Each litellm entry is matched to a feed model by
 * the feed's own `match` rules, within the corresponding provider; rates are
 * compared exactly (USD per token -> nano-dollars per Mtok by decimal shift),
 * at the feed's version in force on --at (default 2025-11-21, the litellm
 * snapshot's date). A cache rate Tollgate leaves null is compared as the rate
 * it bills instead (reads and 5-minute writes at input, 1-hour writes at the
 * 5-minute rate).
 */
import fs from 'node:fs';
import { readFeedFile, SHIPPED_FEED_FILE } from '@/db/catalog';
import { convertCatalogFeed, type FeedPriceVersion } from '@/lib/engine/catalog-feed';
import { decimalFromNumber, nanoToUsdString } from '@/lib/engine/money';

/** genai-prices provider -> litellm providers whose entries price the same service. */
const LITELLM_PROVIDERS: Record<string, string[]> = {
  openai: ['openai'],
  anthropic: ['anthropic'],
  google: ['gemini', 'vertex_ai-language-models', 'vertex_ai-anthropic_models'],
  mistral: ['mistral'],
  deepseek: ['deepseek'],
  'x-ai': ['xai'],
  groq: ['groq'],
  cohere: ['cohere_chat', 'cohere'],
  together: ['together_ai'],
  fireworks: ['fireworks_ai'],
  perplexity: ['perplexity'],
  cerebras: ['cerebras'],
  moonshotai: ['moonshot'],
  ovhcloud: ['ovhcloud'],
  voyageai: ['voyage'],
  openrouter: ['openrouter'],
  aws: ['bedrock', 'bedrock_converse'],
  azure: ['azure'],
};
/** Leading key segments litellm adds to a provider's model names. */
const KEY_PREFIXES = new Set([
  'openai', 'gemini', 'vertex_ai', 'mistral', 'deepseek', 'xai', 'groq', 'cohere', 'together_ai', 'fireworks_ai',
  'perplexity', 'cerebras', 'moonshot', 'ovhcloud', 'voyage', 'openrouter', 'bedrock', 'azure',
]);

type Clause =
  | { equals: string }
  | { starts_with: string }
  | { ends_with: string }
  | { contains: string }
  | { regex: string }
  | { or: Clause[] }
  | { and: Clause[] };

function matches(clause: Clause, name: string): boolean {
  const n = name.toLowerCase();
  if ('equals' in clause) return n === clause.equals.toLowerCase();
  if ('starts_with' in clause) return n.startsWith(clause.starts_with.toLowerCase());
  if ('ends_with' in clause) return n.endsWith(clause.ends_with.toLowerCase());
  if ('contains' in clause) return n.includes(clause.contains.toLowerCase());
  if ('regex' in clause) return new RegExp(clause.regex, 'i').test(name);
  if ('or' in clause) return clause.or.some((c) => matches(c, name));
  if ('and' in clause) return clause.and.every((c) => matches(c, name));
  return false;
}

function modelName(key: string, provider: string): string {
  if (provider.startsWith('bedrock')) return key.split('/').pop()!;
  let name = key;
  const first = name.split('/')[0]!;
  if (name.includes('/') && KEY_PREFIXES.has(first)) name = name.slice(first.length + 1);
  return name.replace(/^accounts\/fireworks\/models\//, '');
}

/** USD per token (a JSON number) as nano-dollars per Mtok: a decimal shift by 15 places. */
function perTokenToNanoPerMtok(value: number): { nano: bigint; exact: boolean } {
  const text = decimalFromNumber(value);
  const [whole, fraction = ''] = text.replace(/^-/, '').split('.') as [string, string?];
  const digits = (whole + fraction.padEnd(15, '0')).replace(/^0+(?=\d)/, '');
  const kept = fraction.length <= 15 ? digits : digits.slice(0, digits.length - (fraction.length - 15));
  return { nano: BigInt(kept), exact: fraction.length <= 15 };
}

const FIELDS = [
  ['input', 'input_cost_per_token', 0],
  ['output', 'output_cost_per_token', 0],
  ['cache read', 'cache_read_input_token_cost', 0],
  ['cache write 5m', 'cache_creation_input_token_cost', 0],
  ['cache write 1h', 'cache_creation_input_token_cost_above_1hr', 0],
  ['input >200k', 'input_cost_per_token_above_200k_tokens', 200_000],
  ['output >200k', 'output_cost_per_token_above_200k_tokens', 200_000],
  ['cache read >200k', 'cache_read_input_token_cost_above_200k_tokens', 200_000],
  ['cache write 5m >200k', 'cache_creation_input_token_cost_above_200k_tokens', 200_000],
] as const;

/** What Tollgate bills per bucket for a version (null cache rates fall back as costNano does). */
function billed(v: FeedPriceVersion, label: string): bigint {
  if (label.startsWith('input')) return v.inputPerMtok;
  if (label.startsWith('output')) return v.outputPerMtok;
  if (label.startsWith('cache read')) return v.cachedInputPerMtok ?? v.inputPerMtok;
  if (label.startsWith('cache write 5m')) return v.cacheWrite5mPerMtok ?? v.inputPerMtok;
  return v.cacheWrite1hPerMtok ?? v.cacheWrite5mPerMtok ?? v.inputPerMtok;
}

function main(): number {
  const args = process.argv.slice(2);
  let litellmFile: string | undefined;
  let feedFile = SHIPPED_FEED_FILE;
  let at = new Date('2025-11-21T00:00:00Z');
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--feed') feedFile = args[++i] ?? '';
    else if (arg === '--at') at = new Date(`${args[++i] ?? ''}T00:00:00Z`);
    else if (!arg.startsWith('--') && !litellmFile) litellmFile = arg;
    else {
      console.error(`error: unknown argument ${JSON.stringify(arg)}`);
      return 1;
    }
  }
  if (!litellmFile || Number.isNaN(at.getTime())) {
    console.error('usage: npx tsx scripts/prices-crosscheck.ts <litellm model_prices json> [--feed <genai-prices json>] [--at YYYY-MM-DD]');
    return 1;
  }

  const raw = readFeedFile(feedFile) as { id: string; models: { id: string; match: Clause }[] }[];
  const feed = convertCatalogFeed(raw);
  const litellm = JSON.parse(fs.readFileSync(litellmFile, 'utf8')) as Record<string, Record<string, unknown>>;

  // The feed's versions in force at `at`, by model.
  const inForce = new Map<string, FeedPriceVersion[]>();
  const byModel = new Map<string, FeedPriceVersion[]>();
  for (const v of feed.prices) byModel.set(v.modelId, [...(byModel.get(v.modelId) ?? []), v]);
  for (const [id, versions] of byModel) {
    const dates = versions.map((v) => v.effectiveFrom.getTime());
    const reached = dates.filter((d) => d <= at.getTime());
    const date = reached.length ? Math.max(...reached) : Math.min(...dates);
    inForce.set(id, versions.filter((v) => v.effectiveFrom.getTime() === date));
  }

  // litellm entries by provider, each matched to the first feed model whose rules match it.
  const entries = Object.entries(litellm).filter(([key, v]) => key !== 'sample_spec' && typeof v === 'object' && v !== null);
  const diffs = new Map<string, Map<string, string[]>>();
  const fieldCounts = new Map<string, number>();
  const comparedModels = new Set<string>();
  let pairs = 0;
  let inexact = 0;
  for (const provider of raw) {
    const litellmProviders = LITELLM_PROVIDERS[provider.id];
    if (!litellmProviders) continue;
    for (const [key, entry] of entries) {
      if (!litellmProviders.includes(String(entry.litellm_provider))) continue;
      const name = modelName(key, String(entry.litellm_provider));
      const model = provider.models.find((m) => m.match && matches(m.match, name));
      if (!model) continue;
      const modelId = `${provider.id}/${model.id}`;
      const versions = inForce.get(modelId);
      if (!versions) continue;
      pairs += 1;
      comparedModels.add(modelId);
      for (const [label, field, tier] of FIELDS) {
        const value = entry[field];
        if (typeof value !== 'number') continue;
        const theirs = perTokenToNanoPerMtok(value);
        if (!theirs.exact) inexact += 1;
        const version = versions.find((v) => v.contextTierMinTokens === tier);
        const ours = version ? billed(version, label) : null;
        if (ours === theirs.nano) continue;
        const text = `${label}: feed ${ours === null ? 'no such tier' : `$${nanoToUsdString(ours)}`}, litellm $${nanoToUsdString(theirs.nano)}`;
        const perModel = diffs.get(modelId) ?? new Map<string, string[]>();
        perModel.set(text, [...(perModel.get(text) ?? []), key]);
        diffs.set(modelId, perModel);
      }
    }
  }

  for (const [modelId, perModel] of [...diffs].sort(([a], [b]) => (a < b ? -1 : 1))) {
    console.log(modelId);
    for (const [text, keys] of perModel) {
      const label = text.slice(0, text.indexOf(':'));
      fieldCounts.set(label, (fieldCounts.get(label) ?? 0) + 1);
      const shown = keys.slice(0, 3).join(', ') + (keys.length > 3 ? ` and ${keys.length - 3} more` : '');
      console.log(`  ${text} per Mtok  (litellm ${shown})`);
    }
  }
  console.log('');
  console.log(`compared at ${at.toISOString().slice(0, 10)}: ${pairs} litellm entries matched to ${comparedModels.size} feed models (of ${feed.models.length})`);
  console.log(`feed models whose prices differ from at least one matched litellm entry: ${diffs.size}`);
  console.log(`differences by field: ${[...fieldCounts].sort((a, b) => b[1] - a[1]).map(([f, n]) => `${f} ${n}`).join(', ') || 'none'}`);
  if (inexact > 0) console.log(`litellm values finer than a nano-dollar per Mtok (truncated): ${inexact}`);
  return 0;
}

process.exit(main());
