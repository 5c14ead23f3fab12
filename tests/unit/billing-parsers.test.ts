/**
 * Provider billing export parsers. The fixtures follow the providers'
 * published response examples; each says where its shape comes from.
 */
import { describe, expect, it } from 'vitest';
import {
  BillingFormatError,
  canonicalJson,
  centsStringToNano,
  dollarNumberToNano,
  parseAnthropicCostReport,
  parseAnthropicUsageReport,
  parseBillingExport,
  parseOpenAiCosts,
  parseOpenAiUsage,
} from '@/lib/engine/billing';

/** Shape: the example response of `GET /v1/organization/costs` in OpenAI's API reference (Administration > Usage > Costs). */
const OPENAI_COSTS_EXAMPLE = {
  object: 'page',
  data: [
    {
      object: 'bucket',
      start_time: 1730419200,
      end_time: 1730505600,
      results: [{ object: 'organization.costs.result', amount: { value: 0.06, currency: 'usd' }, line_item: null, project_id: null }],
    },
  ],
  has_more: false,
  next_page: null,
};

/**
 * Shape: the same page grouped by `line_item` and `project_id`, its results
 * written like the reference's Costs object example (`"line_item": "Image
 * models", "project_id": "proj_abc"`) with model line items as the Costs API
 * returns them ("<model snapshot>, input").
 */
const OPENAI_COSTS_GROUPED = {
  object: 'page',
  data: [
    {
      object: 'bucket',
      start_time: 1730419200, // 2024-11-01T00:00:00Z
      end_time: 1730505600,
      results: [
        { object: 'organization.costs.result', amount: { value: 0.1 + 0.2, currency: 'usd' }, line_item: 'gpt-4o-mini-2024-07-18, input', project_id: 'proj_abc' },
        { object: 'organization.costs.result', amount: { value: 1.005, currency: 'usd' }, line_item: 'gpt-4o-mini-2024-07-18, output', project_id: 'proj_abc' },
        { object: 'organization.costs.result', amount: { value: 0.06, currency: 'usd' }, line_item: 'Image models', project_id: 'proj_abc' },
        { object: 'organization.costs.result', amount: { value: 2.5e-7, currency: 'USD' }, line_item: 'gpt-4o-2024-08-06, cached input', project_id: null },
      ],
    },
    {
      object: 'bucket',
      start_time: 1730505600, // 2024-11-02
      end_time: 1730592000,
      results: [],
    },
  ],
  has_more: true,
  next_page: 'page_AAAAAGdGxdEiJdKOAAAAAGcqsYA=',
};

/** Shape: the example response of `GET /v1/organization/usage/completions` in OpenAI's API reference (Administration > Usage > Completions). */
const OPENAI_USAGE_EXAMPLE = {
  object: 'page',
  data: [
    {
      object: 'bucket',
      start_time: 1730419200,
      end_time: 1730505600,
      results: [
        {
          object: 'organization.usage.completions.result',
          input_tokens: 1000,
          output_tokens: 500,
          input_cached_tokens: 800,
          input_audio_tokens: 0,
          output_audio_tokens: 0,
          num_model_requests: 5,
          project_id: null,
          user_id: null,
          api_key_id: null,
          model: null,
          batch: null,
        },
      ],
    },
  ],
  has_more: true,
  next_page: 'page_AAAAAGdGxdEiJdKOAAAAAGcqsYA=',
};

/**
 * Shape: the CostReport object of `GET /v1/organizations/cost_report` in
 * Anthropic's Admin API reference (data[].starting_at/ending_at/results[],
 * results with currency "USD" and `amount` "in lowest currency units (e.g.
 * cents) as a decimal string", workspace_id, description, cost_type,
 * context_window, model, service_tier, token_type), grouped by workspace_id
 * and description.
 */
const ANTHROPIC_COST_EXAMPLE = {
  data: [
    {
      starting_at: '2025-08-01T00:00:00Z',
      ending_at: '2025-08-02T00:00:00Z',
      results: [
        {
          currency: 'USD',
          amount: '123.4567',
          workspace_id: 'wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ',
          description: 'Claude Sonnet 4.5 Usage - Input Tokens',
          cost_type: 'tokens',
          context_window: '0-200k',
          model: 'claude-sonnet-4-5-20250929',
          service_tier: 'standard',
          token_type: 'uncached_input_tokens',
        },
        {
          currency: 'USD',
          amount: '0.5',
          workspace_id: null,
          description: 'Claude Haiku 4.5 Usage - Output Tokens',
          cost_type: 'tokens',
          context_window: '0-200k',
          model: 'claude-haiku-4-5-20251001',
          service_tier: 'batch',
          token_type: 'output_tokens',
        },
        {
          currency: 'USD',
          amount: '1000',
          workspace_id: 'wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ',
          description: 'Web Search',
          cost_type: 'web_search',
          context_window: null,
          model: null,
          service_tier: null,
          token_type: null,
        },
      ],
    },
  ],
  has_more: true,
  next_page: 'page_MjAyNS0wOC0wMlQwMDowMDowMFo=',
};

/**
 * Shape: the MessagesUsageReport of `GET /v1/organizations/usage_report/messages`
 * in Anthropic's Admin API reference (uncached_input_tokens,
 * cache_creation.{ephemeral_1h,ephemeral_5m}_input_tokens,
 * cache_read_input_tokens, output_tokens, server_tool_use, api_key_id,
 * workspace_id, model, service_tier, context_window), hourly buckets.
 */
const ANTHROPIC_USAGE_EXAMPLE = {
  data: [
    {
      starting_at: '2025-08-01T00:00:00Z',
      ending_at: '2025-08-01T01:00:00Z',
      results: [
        {
          uncached_input_tokens: 1500,
          cache_creation: { ephemeral_1h_input_tokens: 1000, ephemeral_5m_input_tokens: 500 },
          cache_read_input_tokens: 200,
          output_tokens: 500,
          server_tool_use: { web_search_requests: 10 },
          api_key_id: 'apikey_01Rj2N8SVvo6BePZj99NhmiT',
          workspace_id: 'wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ',
          model: 'claude-sonnet-4-5-20250929',
          service_tier: 'standard',
          context_window: '0-200k',
        },
      ],
    },
    {
      starting_at: '2025-08-01T01:00:00Z',
      ending_at: '2025-08-01T02:00:00Z',
      results: [
        {
          uncached_input_tokens: 10,
          cache_creation: null,
          cache_read_input_tokens: 0,
          output_tokens: 5,
          api_key_id: 'apikey_other',
          workspace_id: 'wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ',
          model: 'claude-sonnet-4-5-20250929',
          service_tier: 'standard',
          context_window: '0-200k',
        },
      ],
    },
  ],
  has_more: false,
  next_page: null,
};

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

const REMOVE = Symbol('remove');
/** A deep copy of `fixture` with the value at each dotted path replaced (or removed). */
function mutated(fixture: unknown, ...changes: [path: string, value: unknown][]): unknown {
  const copy = clone(fixture);
  for (const [path, value] of changes) {
    const keys = path.split('.');
    let node = copy as Record<string, unknown>;
    for (const k of keys.slice(0, -1)) node = node[k] as Record<string, unknown>;
    const last = keys[keys.length - 1]!;
    if (value === REMOVE) delete node[last];
    else node[last] = value;
  }
  return copy;
}

function expectFormatError(run: () => unknown, param: string, message?: RegExp) {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(BillingFormatError);
    const e = error as BillingFormatError;
    expect(e.details.param).toBe(param);
    expect(e.status).toBe(400);
    expect(e.type).toBe('invalid_request_error');
    if (message) expect(e.message).toMatch(message);
    return;
  }
  throw new Error(`expected a BillingFormatError at ${param}`);
}

describe('exact amounts', () => {
  it('converts JSON dollar numbers through their shortest decimal, never float arithmetic', () => {
    expect(0.1 + 0.2).toBe(0.30000000000000004);
    expect(dollarNumberToNano(0.1 + 0.2, 'v')).toBe(300_000_000n);
    expect(dollarNumberToNano(1.005, 'v')).toBe(1_005_000_000n); // Math.round(1.005 * 100) is 100
    expect(dollarNumberToNano(0.07, 'v')).toBe(70_000_000n); // 0.07 * 1e9 is 70000000.00000001
    expect(dollarNumberToNano(0.06, 'v')).toBe(60_000_000n);
    expect(dollarNumberToNano(1e-7, 'v')).toBe(100n); // String(1e-7) is "1e-7"
    expect(dollarNumberToNano(2.5e-7, 'v')).toBe(250n);
    expect(dollarNumberToNano(5e-10, 'v')).toBe(1n); // half a nano rounds away from zero
    expect(dollarNumberToNano(4e-10, 'v')).toBe(0n);
    expect(dollarNumberToNano(-0.5, 'v')).toBe(-500_000_000n);
    expect(dollarNumberToNano(1.23456789012, 'v')).toBe(1_234_567_890n);
    expect(dollarNumberToNano(123456789.123456, 'v')).toBe(123_456_789_123_456_000n);
  });

  it('refuses dollar amounts that are not numbers, or too large for a bigint column', () => {
    expectFormatError(() => dollarNumberToNano('0.5', 'v'), 'v', /JSON number/);
    expectFormatError(() => dollarNumberToNano(null, 'v'), 'v');
    expectFormatError(() => dollarNumberToNano(1e12, 'v'), 'v', /out of range/);
    expectFormatError(() => dollarNumberToNano(1e21, 'v'), 'v', /out of range/);
  });

  it('converts decimal strings of cents exactly (1 cent = 10,000,000 nano)', () => {
    expect(centsStringToNano('123.4567', 'a')).toBe(1_234_567_000n);
    expect(centsStringToNano('123.45', 'a')).toBe(1_234_500_000n); // $1.2345
    expect(centsStringToNano('1', 'a')).toBe(10_000_000n);
    expect(centsStringToNano('0.0000001', 'a')).toBe(1n);
    expect(centsStringToNano('0.00000005', 'a')).toBe(1n);
    expect(centsStringToNano('0.00000004', 'a')).toBe(0n);
    expect(centsStringToNano('-12.5', 'a')).toBe(-125_000_000n);
    expect(centsStringToNano('00012', 'a')).toBe(120_000_000n);
    for (const bad of ['12,50', '1e3', '', '.5', '12.', 'abc', ' - 1']) expectFormatError(() => centsStringToNano(bad, 'a'), 'a', /cents/);
    expectFormatError(() => centsStringToNano(123.45, 'a'), 'a', /decimal string of cents/);
  });
});

describe('OpenAI Costs API', () => {
  it('parses the reference example: one total line, no project, no model', () => {
    const parsed = parseOpenAiCosts(OPENAI_COSTS_EXAMPLE);
    expect(parsed).toMatchObject({ provider: 'openai', format: 'costs', pages: 1, buckets: 1, results: 1, hasMore: false, nextPage: null });
    expect(parsed.firstDay).toBe('2024-11-01');
    expect(parsed.lines).toHaveLength(1);
    expect(parsed.lines[0]).toMatchObject({
      provider: 'openai',
      kind: 'cost',
      day: '2024-11-01',
      modelName: null,
      externalProjectId: null,
      lineItem: 'total',
      direction: null,
      amountNano: 60_000_000n,
      currency: 'USD',
      inputTokens: null,
      requests: null,
    });
  });

  it('derives model and direction from line items, keeps null projects, reports has_more', () => {
    const parsed = parseOpenAiCosts(OPENAI_COSTS_GROUPED);
    expect(parsed.hasMore).toBe(true);
    expect(parsed.nextPage).toBe('page_AAAAAGdGxdEiJdKOAAAAAGcqsYA=');
    expect(parsed.buckets).toBe(2);
    const byItem = Object.fromEntries(parsed.lines.map((l) => [l.lineItem, l]));
    expect(byItem['gpt-4o-mini-2024-07-18, input']).toMatchObject({
      modelName: 'gpt-4o-mini-2024-07-18',
      direction: 'input',
      externalProjectId: 'proj_abc',
      amountNano: 300_000_000n,
    });
    expect(byItem['gpt-4o-mini-2024-07-18, output']).toMatchObject({ direction: 'output', amountNano: 1_005_000_000n });
    expect(byItem['Image models']).toMatchObject({ modelName: null, direction: null, amountNano: 60_000_000n });
    expect(byItem['gpt-4o-2024-08-06, cached input']).toMatchObject({
      modelName: 'gpt-4o-2024-08-06',
      direction: 'cached_input',
      externalProjectId: null,
      amountNano: 250n,
    });
    // The empty second bucket gives no lines.
    expect(parsed.lastDay).toBe('2024-11-01');
  });

  it('sums results with the same key exactly, where floats would not', () => {
    const page = mutated(OPENAI_COSTS_EXAMPLE, [
      'data.0.results',
      [
        { object: 'organization.costs.result', amount: { value: 0.1, currency: 'usd' }, line_item: null, project_id: null },
        { object: 'organization.costs.result', amount: { value: 0.2, currency: 'usd' }, line_item: null, project_id: null },
      ],
    ]);
    const parsed = parseOpenAiCosts(page);
    expect(parsed.lines).toHaveLength(1);
    expect(parsed.lines[0]!.amountNano).toBe(300_000_000n);
    expect(parsed.lines[0]!.sources).toHaveLength(2);
  });

  it('accepts an array of pages; has_more comes from the last page', () => {
    const second = mutated(OPENAI_COSTS_EXAMPLE, ['data.0.start_time', 1730592000], ['data.0.end_time', 1730678400]);
    const parsed = parseOpenAiCosts([OPENAI_COSTS_GROUPED, second]);
    expect(parsed.pages).toBe(2);
    expect(parsed.hasMore).toBe(false);
    expect(parsed.lastDay).toBe('2024-11-03');
    expect(parsed.lines.find((l) => l.day === '2024-11-03')!.amountNano).toBe(60_000_000n);
  });

  it.each([
    ['data is not an array', [['data', {}]], 'data.data'],
    ['the page is a list object', [['object', 'list']], 'data.object'],
    ['the amount is a string', [['data.0.results.0.amount.value', '0.06']], 'data.data[0].results[0].amount.value'],
    ['the amount is missing', [['data.0.results.0.amount', REMOVE]], 'data.data[0].results[0].amount'],
    ['the currency is EUR', [['data.0.results.0.amount.currency', 'eur']], 'data.data[0].results[0].amount.currency'],
    ['the line item holds a NUL character', [['data.0.results.0.line_item', 'gpt-4o\u0000, input']], 'data.data[0].results[0].line_item'],
    ['start_time is text', [['data.0.start_time', '2024-11-01']], 'data.data[0].start_time'],
    ['start_time is in milliseconds', [['data.0.start_time', 1730419200000]], 'data.data[0].start_time'],
    ['end_time is before start_time', [['data.0.end_time', 1730419100]], 'data.data[0].end_time'],
    ['the bucket spans two days', [['data.0.end_time', 1730592000]], 'data.data[0].end_time'],
    ['the bucket crosses midnight', [['data.0.start_time', 1730422800], ['data.0.end_time', 1730509200]], 'data.data[0].start_time'],
    ['a usage result is in a costs page', [['data.0.results.0.object', 'organization.usage.completions.result']], 'data.data[0].results[0].object'],
    ['the project id is a number', [['data.0.results.0.project_id', 7]], 'data.data[0].results[0].project_id'],
    ['has_more is a string', [['has_more', 'yes']], 'data.has_more'],
  ] as [string, [string, unknown][], string][])('names the bad field when %s', (_name, changes, param) => {
    expectFormatError(() => parseBillingExport('openai', 'costs', mutated(OPENAI_COSTS_EXAMPLE, ...changes), 'data'), param);
  });

  it('refuses overlapping pages and an empty list of pages', () => {
    expectFormatError(() => parseOpenAiCosts([OPENAI_COSTS_EXAMPLE, OPENAI_COSTS_EXAMPLE], 'data'), 'data[1].data[0].start_time', /twice/);
    expectFormatError(() => parseOpenAiCosts([], 'data'), 'data');
    expectFormatError(() => parseOpenAiCosts('not a page', 'data'), 'data');
  });
});

describe('OpenAI Usage API (completions)', () => {
  it('parses the reference example into disjoint token buckets', () => {
    const parsed = parseOpenAiUsage(OPENAI_USAGE_EXAMPLE);
    expect(parsed).toMatchObject({ format: 'usage', hasMore: true, nextPage: 'page_AAAAAGdGxdEiJdKOAAAAAGcqsYA=' });
    expect(parsed.lines).toHaveLength(1);
    expect(parsed.lines[0]).toMatchObject({
      kind: 'usage',
      day: '2024-11-01',
      modelName: null,
      externalProjectId: null,
      lineItem: 'completions usage',
      amountNano: 0n,
      inputTokens: 200, // input_tokens includes the 800 cached
      cachedInputTokens: 800,
      outputTokens: 500,
      requests: 5,
    });
  });

  it('keeps batch apart and sums results split by key or user', () => {
    const base = { ...OPENAI_USAGE_EXAMPLE.data[0]!.results[0]!, model: 'gpt-4o-mini-2024-07-18', project_id: 'proj_abc' };
    const page = mutated(OPENAI_USAGE_EXAMPLE, [
      'data.0.results',
      [
        { ...base, api_key_id: 'key_a' },
        { ...base, api_key_id: 'key_b' },
        { ...base, batch: true },
      ],
    ]);
    const parsed = parseOpenAiUsage(page);
    expect(parsed.lines.map((l) => [l.lineItem, l.requests, l.inputTokens])).toEqual([
      ['completions usage', 10, 400],
      ['completions usage, batch', 5, 200],
    ]);
  });

  it('names the bad field', () => {
    const negative = mutated(OPENAI_USAGE_EXAMPLE, ['data.0.results.0.input_tokens', -1]);
    expectFormatError(() => parseOpenAiUsage(negative, 'data'), 'data.data[0].results[0].input_tokens');
    const tooManyCached = mutated(OPENAI_USAGE_EXAMPLE, ['data.0.results.0.input_tokens', 100]);
    expectFormatError(() => parseOpenAiUsage(tooManyCached, 'data'), 'data.data[0].results[0].input_cached_tokens', /larger/);
    expectFormatError(() => parseOpenAiUsage(OPENAI_COSTS_EXAMPLE, 'data'), 'data.data[0].results[0].object');
  });
});

describe('Anthropic cost report', () => {
  it('parses cents strings exactly, with workspace, model and direction', () => {
    const parsed = parseAnthropicCostReport(ANTHROPIC_COST_EXAMPLE);
    expect(parsed).toMatchObject({ provider: 'anthropic', format: 'costs', hasMore: true, nextPage: 'page_MjAyNS0wOC0wMlQwMDowMDowMFo=' });
    const byItem = Object.fromEntries(parsed.lines.map((l) => [l.lineItem, l]));
    expect(byItem['Claude Sonnet 4.5 Usage - Input Tokens']).toMatchObject({
      day: '2025-08-01',
      modelName: 'claude-sonnet-4-5-20250929',
      externalProjectId: 'wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ',
      direction: 'input',
      amountNano: 1_234_567_000n, // 123.4567 cents = $1.234567
      currency: 'USD',
    });
    expect(byItem['Claude Haiku 4.5 Usage - Output Tokens']).toMatchObject({ externalProjectId: null, direction: 'output', amountNano: 5_000_000n });
    expect(byItem['Web Search']).toMatchObject({ modelName: null, direction: null, amountNano: 10_000_000_000n });
  });

  it('names a line by its fields when there is no description, and accepts offsets', () => {
    const report = {
      data: [
        {
          starting_at: '2025-08-01T02:00:00+02:00',
          ending_at: '2025-08-02T02:00:00+02:00',
          results: [{ currency: 'USD', amount: '10', workspace_id: null, description: null, cost_type: null, model: null }],
        },
      ],
      has_more: false,
      next_page: null,
    };
    const parsed = parseAnthropicCostReport(report);
    expect(parsed.lines).toEqual([expect.objectContaining({ day: '2025-08-01', lineItem: 'total', amountNano: 100_000_000n })]);
  });

  it.each([
    ['the amount is a JSON number', 'data.0.results.0.amount', 123.45, 'data.data[0].results[0].amount'],
    ['the amount is not numeric', 'data.0.results.0.amount', 'twelve', 'data.data[0].results[0].amount'],
    ['the currency is GBP', 'data.0.results.0.currency', 'GBP', 'data.data[0].results[0].currency'],
    ['starting_at is not a time', 'data.0.starting_at', 'yesterday', 'data.data[0].starting_at'],
    ['starting_at has no zone', 'data.0.starting_at', '2025-08-01T00:00:00', 'data.data[0].starting_at'],
    ['starting_at is 30 February', 'data.0.starting_at', '2025-02-30T00:00:00Z', 'data.data[0].starting_at'],
    ['ending_at equals starting_at', 'data.0.ending_at', '2025-08-01T00:00:00Z', 'data.data[0].ending_at'],
    ['results is missing', 'data.0.results', REMOVE, 'data.data[0].results'],
    ['it is an OpenAI page', 'object', 'page', 'data.object'],
  ])('names the bad field when %s', (_name, path, value, param) => {
    expectFormatError(() => parseBillingExport('anthropic', 'costs', mutated(ANTHROPIC_COST_EXAMPLE, [path, value]), 'data'), param);
  });
});

describe('Anthropic usage report', () => {
  it('sums hourly buckets into the day, keeping cache reads and writes apart', () => {
    const parsed = parseAnthropicUsageReport(ANTHROPIC_USAGE_EXAMPLE);
    expect(parsed.buckets).toBe(2);
    expect(parsed.lines).toHaveLength(1);
    expect(parsed.lines[0]).toMatchObject({
      provider: 'anthropic',
      kind: 'usage',
      day: '2025-08-01',
      modelName: 'claude-sonnet-4-5-20250929',
      externalProjectId: 'wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ',
      lineItem: 'messages usage, standard, 0-200k',
      amountNano: 0n,
      inputTokens: 1510,
      cachedInputTokens: 200,
      cacheWriteTokens: 1500,
      outputTokens: 505,
      requests: null,
    });
    expect(parsed.lines[0]!.sources).toHaveLength(2);
  });

  it('says which span of each day its buckets cover, and refuses a gap or an overlap', () => {
    expect(parseAnthropicUsageReport(ANTHROPIC_USAGE_EXAMPLE).coverage).toEqual([
      { day: '2025-08-01', fromMs: Date.parse('2025-08-01T00:00:00Z'), toMs: Date.parse('2025-08-01T02:00:00Z') },
    ]);
    const gap = mutated(ANTHROPIC_USAGE_EXAMPLE, ['data.1.starting_at', '2025-08-01T03:00:00Z'], ['data.1.ending_at', '2025-08-01T04:00:00Z']);
    expectFormatError(() => parseAnthropicUsageReport(gap, 'data'), 'data.data[1]', /leaves 2025-08-01T01:00:00.000Z to 2025-08-01T03:00:00.000Z uncovered/);
    const overlap = mutated(ANTHROPIC_USAGE_EXAMPLE, ['data.1.starting_at', '2025-08-01T00:30:00Z'], ['data.1.ending_at', '2025-08-01T01:30:00Z']);
    expectFormatError(() => parseAnthropicUsageReport(overlap, 'data'), 'data.data[1]', /overlaps/);
  });

  it('names the bad field', () => {
    const report = mutated(ANTHROPIC_USAGE_EXAMPLE, ['data.0.results.0.cache_creation.ephemeral_5m_input_tokens', 1.5]);
    expectFormatError(() => parseAnthropicUsageReport(report, 'data'), 'data.data[0].results[0].cache_creation.ephemeral_5m_input_tokens');
    expectFormatError(() => parseAnthropicUsageReport(ANTHROPIC_COST_EXAMPLE, 'data'), 'data.data[0].results[0].uncached_input_tokens', /cost report/);
  });
});

describe('canonical JSON', () => {
  it('ignores key order and spacing, not values', () => {
    const a = canonicalJson({ b: 1, a: [{ y: 0.1, x: null }], c: 'é' });
    expect(a).toBe('{"a":[{"x":null,"y":0.1}],"b":1,"c":"é"}');
    expect(canonicalJson(JSON.parse('{ "c": "é", "a": [ { "x": null, "y": 0.1 } ], "b": 1 }'))).toBe(a);
    expect(canonicalJson({ a: 0.1 + 0.2 })).not.toBe(canonicalJson({ a: 0.3 }));
  });
});
