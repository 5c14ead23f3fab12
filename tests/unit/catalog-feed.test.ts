import { describe, expect, it } from 'vitest';
import { shippedCatalog } from '@/db/catalog';
import { CATALOG_EFFECTIVE_FROM, CATALOG_MODELS, catalogRates } from '@/lib/engine/catalog';
import {
  CatalogFeedError,
  convertCatalogFeed,
  feedModelTier,
  planCatalogImport,
  UNDATED_FROM,
  type ConvertedFeed,
  type ExistingPrice,
  type FeedPriceVersion,
} from '@/lib/engine/catalog-feed';
import { decimalFromNumber } from '@/lib/engine/money';
import { choosePrices } from '@/lib/engine/prices';

const NANO = 1_000_000_000n;
const feed = shippedCatalog();
const versionsOf = (c: ConvertedFeed, id: string) => c.prices.filter((p) => p.modelId === id);
const rates = (p: FeedPriceVersion) => ({
  input: p.inputPerMtok,
  cached: p.cachedInputPerMtok,
  write5m: p.cacheWrite5mPerMtok,
  write1h: p.cacheWrite1hPerMtok,
  output: p.outputPerMtok,
  reasoning: p.reasoningPerMtok,
});
const catalogDate = new Date(CATALOG_EFFECTIVE_FROM);

describe('decimalFromNumber', () => {
  it('gives the shortest decimal, exponents spelled out', () => {
    expect(decimalFromNumber(0.075)).toBe('0.075');
    expect(decimalFromNumber(7.5e-8)).toBe('0.000000075');
    expect(decimalFromNumber(1.25e-7)).toBe('0.000000125');
    expect(decimalFromNumber(3e-6)).toBe('0.000003');
    expect(decimalFromNumber(1e21)).toBe('1000000000000000000000');
    expect(decimalFromNumber(2.5e21)).toBe('2500000000000000000000');
    expect(decimalFromNumber(0.18000000000000002)).toBe('0.18000000000000002');
    expect(decimalFromNumber(-0.5)).toBe('-0.5');
    expect(() => decimalFromNumber(Number.NaN)).toThrow(RangeError);
  });
});

describe('the shipped genai-prices feed', () => {
  it('converts gpt-4o-mini exactly: $0.15 in, $0.075 cached, $0.60 out per Mtok', () => {
    const [v, ...rest] = versionsOf(feed, 'openai/gpt-4o-mini');
    expect(rest).toEqual([]);
    expect(v).toMatchObject({ kind: 'list', organisationId: null, serviceTier: 'standard', contextTierMinTokens: 0, effectiveFrom: catalogDate });
    expect(rates(v!)).toEqual({ input: 150_000_000n, cached: 75_000_000n, write5m: null, write1h: null, output: 600_000_000n, reasoning: null });
    expect(feed.models.find((m) => m.id === 'openai/gpt-4o-mini')).toEqual({
      id: 'openai/gpt-4o-mini',
      provider: 'openai',
      name: 'gpt-4o-mini',
      displayName: 'gpt 4o mini',
      contextWindow: 128_000,
      deprecated: false,
    });
  });

  it('keeps o3 at $10/$40 before 2025-06-10 and $2/$8 from it', () => {
    const versions = versionsOf(feed, 'openai/o3');
    expect(versions.map((v) => [v.effectiveFrom.toISOString(), v.inputPerMtok, v.cachedInputPerMtok, v.outputPerMtok])).toEqual([
      // The first set has no start date, and the change predates the catalog date: it is in force since always.
      [new Date(UNDATED_FROM).toISOString(), 10n * NANO, NANO / 2n, 40n * NANO],
      ['2025-06-10T00:00:00.000Z', 2n * NANO, NANO / 2n, 8n * NANO],
    ]);
    const book = versions.map((v, i) => ({ ...v, id: i + 1 }));
    const price = (at: string) =>
      choosePrices(book, { organisationId: 'org', at: new Date(at), promptTokens: 1_000, serviceTier: 'standard' }).billed;
    expect(price('2025-05-01T00:00:00Z')).toMatchObject({ price: { inputPerMtok: 10n * NANO, outputPerMtok: 40n * NANO }, status: 'priced' });
    expect(price('2025-06-09T23:59:59Z')?.price.outputPerMtok).toBe(40n * NANO);
    expect(price('2025-06-10T00:00:00Z')?.price.outputPerMtok).toBe(8n * NANO);
    expect(price('2026-01-01T00:00:00Z')?.price.inputPerMtok).toBe(2n * NANO);
  });

  it('splits claude-sonnet-4-5 into a base and a 200k tier, one-hour cache writes included', () => {
    const versions = versionsOf(feed, 'anthropic/claude-sonnet-4-5');
    expect(versions.map((v) => [v.contextTierMinTokens, rates(v)])).toEqual([
      [0, { input: 3n * NANO, cached: 300_000_000n, write5m: 3_750_000_000n, write1h: 6n * NANO, output: 15n * NANO, reasoning: null }],
      [200_000, { input: 6n * NANO, cached: 600_000_000n, write5m: 7_500_000_000n, write1h: 12n * NANO, output: 22_500_000_000n, reasoning: null }],
    ]);
    expect(versions.every((v) => v.effectiveFrom.getTime() === catalogDate.getTime())).toBe(true);
  });

  it('splits gemini-2.5-pro at 200k prompt tokens', () => {
    expect(versionsOf(feed, 'google/gemini-2.5-pro').map((v) => [v.contextTierMinTokens, rates(v)])).toEqual([
      [0, { input: 1_250_000_000n, cached: 125_000_000n, write5m: null, write1h: null, output: 10n * NANO, reasoning: null }],
      [200_000, { input: 2_500_000_000n, cached: 250_000_000n, write5m: null, write1h: null, output: 15n * NANO, reasoning: null }],
    ]);
  });

  it('leaves a one-hour cache write null where the feed has none', () => {
    // Anthropic's own entry carries it (2x input); Vertex's does not.
    expect(versionsOf(feed, 'anthropic/claude-3-5-haiku-latest')[0]).toMatchObject({ inputPerMtok: 800_000_000n, cacheWrite5mPerMtok: 1_000_000_000n, cacheWrite1hPerMtok: 1_600_000_000n });
    expect(versionsOf(feed, 'google/claude-3-5-haiku')[0]).toMatchObject({ inputPerMtok: 800_000_000n, cacheWrite5mPerMtok: 1_000_000_000n, cacheWrite1hPerMtok: null });
  });

  it('agrees with every built-in list price', () => {
    for (const m of CATALOG_MODELS.filter((m) => m.kind === 'list')) {
      const fromFeed = versionsOf(feed, m.id).map((v) => [v.contextTierMinTokens, rates(v)]);
      const builtIn = m.prices.map((p) => {
        const r = catalogRates(p);
        return [p.contextTierMinTokens, { input: r.inputPerMtok, cached: r.cachedInputPerMtok, write5m: r.cacheWrite5mPerMtok, write1h: r.cacheWrite1hPerMtok, output: r.outputPerMtok, reasoning: r.reasoningPerMtok }];
      });
      expect(fromFeed, m.id).toEqual(builtIn);
    }
  });

  it('reports what it leaves out', () => {
    const r = feed.report;
    expect(r).toMatchObject({ providers: 36, models: 1466, versions: feed.prices.length, duplicates: [] });
    expect(r.skippedFields).toMatchObject({ input_audio_mtok: 19, web_searches_kcount: 20, requests_kcount: 4 });
    expect(r.skippedSets).toContainEqual({ modelId: 'openai/text-embedding-3-small', reason: 'no output_mtok' });
    expect(r.skippedSets).toContainEqual({ modelId: 'openai/moderation', reason: 'no input_mtok and output_mtok' });
    expect(r.timeOfDay).toEqual(['deepseek/deepseek-chat', 'deepseek/deepseek-reasoner']);
    expect(r.rounded).toContainEqual({
      modelId: 'huggingface_together/Qwen/Qwen3-VL-8B-Instruct',
      field: 'input_mtok',
      value: '0.18000000000000002',
      nanoPerMtok: '180000000',
    });
  });
});

describe('convertCatalogFeed', () => {
  const o3Raw = [
    { prices: { input_mtok: 10, cache_read_mtok: 0.5, output_mtok: 40 } },
    { constraint: { start_date: '2025-06-10' }, prices: { input_mtok: 2, cache_read_mtok: 0.5, output_mtok: 8 } },
  ];
  const feedOf = (prices: unknown) => [{ id: 'openai', models: [{ id: 'o3', prices }] }];
  const one = (prices: unknown, extra: Record<string, unknown> = {}) => [
    { id: 'acme', name: 'Acme', future_field: { x: 1 }, models: [{ id: 'm-1', match: { equals: 'm-1' }, prices, ...extra }] },
  ];

  it('tolerates unknown fields and counts unknown price fields', () => {
    const c = convertCatalogFeed(one({ input_mtok: 1, output_mtok: 2, input_hologram_mtok: 9 }, { brand_new: true }));
    expect(c.models).toEqual([{ id: 'acme/m-1', provider: 'acme', name: 'm-1', displayName: 'm-1', contextWindow: null, deprecated: false }]);
    expect(c.prices).toHaveLength(1);
    expect(c.report.skippedFields).toEqual({ input_hologram_mtok: 1 });
  });

  it('reads numbers through their shortest decimal, exponents included, and rounds past nine decimals', () => {
    const c = convertCatalogFeed(one({ input_mtok: 1.5e-7, output_mtok: 0.30000000000000004, cache_read_mtok: 0.1234567894 }));
    expect(c.prices[0]).toMatchObject({ inputPerMtok: 150n, outputPerMtok: 300_000_000n, cachedInputPerMtok: 123_456_789n });
    expect(c.report.rounded.map((r) => [r.field, r.value, r.nanoPerMtok])).toEqual([
      ['cache_read_mtok', '0.1234567894', '123456789'],
      ['output_mtok', '0.30000000000000004', '300000000'],
    ]);
    expect(convertCatalogFeed(one({ input_mtok: 0.1234567895, output_mtok: 1 })).prices[0]!.inputPerMtok).toBe(123_456_790n);
  });

  it('makes one version per tier start, each field at its own rate there', () => {
    const c = convertCatalogFeed(
      one({
        input_mtok: { base: 1, tiers: [{ start: 128_000, price: 2 }, { start: 500_000, price: 4 }] },
        output_mtok: { base: 10, tiers: [{ start: 200_000, price: 15 }] },
      }),
    );
    expect(c.prices.map((p) => [p.contextTierMinTokens, p.inputPerMtok / NANO, p.outputPerMtok / NANO])).toEqual([
      [0, 1n, 10n],
      [128_000, 2n, 10n],
      [200_000, 2n, 15n],
      [500_000, 4n, 15n],
    ]);
  });

  it('dates later price sets and keeps the first at the catalog date when it is earlier', () => {
    const c = convertCatalogFeed(
      one([
        { prices: { input_mtok: 1, output_mtok: 2 } },
        { constraint: { start_date: '2026-03-01' }, prices: { input_mtok: 3, output_mtok: 4 } },
      ]),
    );
    expect(c.prices.map((p) => [p.effectiveFrom.toISOString(), p.inputPerMtok / NANO])).toEqual([
      [catalogDate.toISOString(), 1n],
      ['2026-03-01T00:00:00.000Z', 3n],
    ]);
    // A later catalog date moves a single undated price, never a model's dated history.
    const later = convertCatalogFeed(one({ input_mtok: 1, output_mtok: 2 }), { effectiveFrom: '2027-01-01' });
    expect(later.prices[0]!.effectiveFrom.toISOString()).toBe('2027-01-01T00:00:00.000Z');
    expect(convertCatalogFeed(feedOf(o3Raw), { effectiveFrom: '2027-01-01' }).prices.map((p) => p.effectiveFrom.toISOString())).toEqual([
      new Date(UNDATED_FROM).toISOString(),
      '2025-06-10T00:00:00.000Z',
    ]);
  });

  it('prices time-of-day alternatives at the higher rate, field by field', () => {
    const c = convertCatalogFeed(
      one([
        { prices: { input_mtok: 0.135, cache_read_mtok: 0.035, output_mtok: 2 } },
        { constraint: { start_time: '00:30:00Z', end_time: '16:30:00Z' }, prices: { input_mtok: 0.27, cache_read_mtok: 0.07, output_mtok: 1.1 } },
      ]),
    );
    expect(c.prices.map((p) => [p.inputPerMtok, p.cachedInputPerMtok, p.outputPerMtok])).toEqual([[270_000_000n, 70_000_000n, 2n * NANO]]);
    expect(c.report.timeOfDay).toEqual(['acme/m-1']);
  });

  it('does not import a set without an input and an output price, but keeps the model', () => {
    const c = convertCatalogFeed(one({ input_mtok: 0.02 }));
    expect(c.models).toHaveLength(1);
    expect(c.prices).toEqual([]);
    expect(c.report.skippedSets).toEqual([{ modelId: 'acme/m-1', reason: 'no output_mtok' }]);
  });

  it('maps provider aliases and keeps the first of two models with one id', () => {
    const c = convertCatalogFeed([
      { id: 'google-gla', models: [{ id: 'g', prices: { input_mtok: 1, output_mtok: 1 } }] },
      { id: 'google', models: [{ id: 'g', prices: { input_mtok: 2, output_mtok: 2 } }] },
    ]);
    expect(c.models.map((m) => m.id)).toEqual(['google/g']);
    expect(c.prices.map((p) => p.inputPerMtok)).toEqual([NANO]);
    expect(c.report.duplicates).toEqual(['google/g']);
  });

  it('refuses a malformed feed, naming the field', () => {
    expect(() => convertCatalogFeed({})).toThrow(CatalogFeedError);
    expect(() => convertCatalogFeed(one({ input_mtok: -1, output_mtok: 1 }))).toThrow(/feed\[0\]\.models\[0\]\.prices/);
    expect(() => convertCatalogFeed(one({ input_mtok: '1', output_mtok: 1 }))).toThrow(CatalogFeedError);
    expect(() => convertCatalogFeed(one([{ constraint: { start_date: '2026-02-30' }, prices: { input_mtok: 1, output_mtok: 1 } }]))).toThrow(
      /calendar date/,
    );
    expect(() => convertCatalogFeed([{ id: 'has space', models: [] }])).toThrow(CatalogFeedError);
  });
});

describe('feedModelTier', () => {
  const v = (contextTierMinTokens: number, outputUsd: bigint) => ({ contextTierMinTokens, outputPerMtok: outputUsd * NANO });
  it('files a model small only when every base output price is under $8 per Mtok', () => {
    expect(feedModelTier([v(0, 5n), v(200_000, 30n)])).toBe('small');
    expect(feedModelTier([v(0, 40n), v(0, 2n)])).toBe('frontier');
    expect(feedModelTier([v(0, 8n)])).toBe('frontier');
    expect(feedModelTier([])).toBe('frontier');
  });

  it('puts every built-in model where catalog.ts does', () => {
    for (const m of CATALOG_MODELS) {
      expect(feedModelTier(m.prices.map((p) => ({ contextTierMinTokens: p.contextTierMinTokens, outputPerMtok: catalogRates(p).outputPerMtok }))), m.id).toBe(m.tier);
    }
  });
});

describe('planCatalogImport', () => {
  const held = (plan: ReturnType<typeof planCatalogImport>, before: ExistingPrice[] = []): ExistingPrice[] => [...before, ...plan.insertPrices];
  const modelsOf = (plan: ReturnType<typeof planCatalogImport>) =>
    plan.insertModels.map((m) => ({ id: m.id, displayName: m.displayName, contextWindow: m.contextWindow }));

  it('inserts everything into an empty catalog, and nothing the second time', () => {
    const first = planCatalogImport(feed, { models: [], prices: [] });
    expect(first.insertModels).toHaveLength(feed.models.length);
    expect(first.insertPrices).toHaveLength(feed.prices.length);
    const second = planCatalogImport(feed, { models: modelsOf(first), prices: held(first) });
    expect(second).toEqual({ insertModels: [], updateModels: [], insertPrices: [], unchangedPrices: feed.prices.length, conflicts: [] });
  });

  it('inserts built-in models as catalog.ts defines them and feed-only ones unroutable', () => {
    const plan = planCatalogImport(feed, { models: [], prices: [] });
    const sonnet = plan.insertModels.find((m) => m.id === 'anthropic/claude-sonnet-4-5');
    expect(sonnet).toMatchObject({ tier: 'frontier', routable: true, displayName: 'Claude Sonnet 4.5', maxOutputTokens: 64_000 });
    expect(Object.keys(sonnet!.quality).length).toBeGreaterThan(0);
    const routable = plan.insertModels.filter((m) => m.routable).map((m) => m.id);
    expect(routable.sort()).toEqual(CATALOG_MODELS.filter((m) => m.kind === 'list').map((m) => m.id).sort());
    expect(plan.insertModels.find((m) => m.id === 'openai/gpt-4o-mini')).toMatchObject({ tier: 'small', routable: false, quality: {} });
    expect(plan.insertModels.find((m) => m.id === 'openai/o3')).toMatchObject({ tier: 'frontier', routable: false });
    expect(plan.insertModels.find((m) => m.id === 'google/gemini-2.5-pro')).toMatchObject({ contextWindow: 1_048_576 });
  });

  it('never touches a built-in model, and updates a feed-only model only in name and context window', () => {
    const plan = planCatalogImport(feed, {
      models: [
        { id: 'anthropic/claude-sonnet-4-5', displayName: 'Renamed by hand', contextWindow: 1 },
        { id: 'openai/gpt-4o-mini', displayName: 'old name', contextWindow: 128_000 },
      ],
      prices: [],
    });
    expect(plan.updateModels).toEqual([{ id: 'openai/gpt-4o-mini', displayName: 'gpt 4o mini', contextWindow: 128_000 }]);
    expect(plan.insertModels.some((m) => m.id === 'anthropic/claude-sonnet-4-5' || m.id === 'openai/gpt-4o-mini')).toBe(false);
  });

  const mini = versionsOf(feed, 'openai/gpt-4o-mini');
  const only = { models: feed.models.filter((m) => m.id === 'openai/gpt-4o-mini'), prices: mini };

  it('reports a held price with other rates at the same date as a conflict, and writes none of its set', () => {
    const plan = planCatalogImport(only, { models: [], prices: [{ ...mini[0]!, outputPerMtok: 700_000_000n }] });
    expect(plan.insertPrices).toEqual([]);
    expect(plan.conflicts).toMatchObject([{ modelId: 'openai/gpt-4o-mini', contextTierMinTokens: 0, existing: { outputPerMtok: 700_000_000n }, feed: { outputPerMtok: 600_000_000n } }]);
  });

  it('skips a set equal to the one already in force at its date, and inserts one that changes it', () => {
    const later = { ...only, prices: mini.map((p) => ({ ...p, effectiveFrom: new Date('2027-01-01T00:00:00Z') })) };
    expect(planCatalogImport(later, { models: [], prices: mini })).toMatchObject({ insertPrices: [], unchangedPrices: 1 });
    const cheaper = { ...only, prices: later.prices.map((p) => ({ ...p, inputPerMtok: 100_000_000n })) };
    expect(planCatalogImport(cheaper, { models: [], prices: mini }).insertPrices).toHaveLength(1);
  });

  it('ignores negotiated and amortised prices, which are not the feed\'s', () => {
    const negotiated = { ...mini[0]!, kind: 'negotiated', organisationId: 'org_a', outputPerMtok: 1n };
    expect(planCatalogImport(only, { models: [], prices: [negotiated] })).toMatchObject({ insertPrices: mini, conflicts: [] });
  });
});
