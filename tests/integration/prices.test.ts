/**
 * The price catalog end to end: importing the public feed (idempotent, equal
 * to what the seed writes), ops adding price versions through
 * POST /api/v1/prices, events ingested through POST /api/v1/usage priced by
 * the version in force at their own time, negotiated prices beside list
 * prices, and refusals that write nothing.
 */
import { encode } from 'next-auth/jwt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFeedFile, shippedCatalog, SHIPPED_FEED_SOURCE } from '@/db/catalog';
import { setDb } from '@/db/client';
import { seedDatabase } from '@/db/seed';
import { DEMO_USERS, ORG_ID } from '@/db/seed/fixtures';
import { generateDemoData } from '@/db/seed/generate';
import { GET as getPrices, POST as postPrices } from '@/app/api/v1/prices/route';
import { POST as postUsage } from '@/app/api/v1/usage/route';
import { clearApiKeyCache } from '@/lib/http/authenticate';
import { importCatalogFeed } from '@/lib/server/prices';
import { invalidatePriceBook } from '@/lib/server/price-book';
import { createTestDb, type TestDb } from '../support/db';

const SECRET = 'prices-test-secret';
const AGENT_KEY = 'tg_pricesAgentKey000000000000000000000000000';
const ADMIN_KEY = 'tg_pricesAdminKey000000000000000000000000000';
const HOUR = 3_600_000;
let db: TestDb;

beforeAll(async () => {
  process.env.AUTH_SECRET = SECRET;
  db = await createTestDb();
  // The built-in catalog only: the test imports the public feed itself.
  await seedDatabase(db, { events: 300, days: 10, now: new Date(), seed: 5, demoKey: AGENT_KEY, adminKey: ADMIN_KEY, catalogFeed: null });
  setDb(db);
  clearApiKeyCache();
  invalidatePriceBook();
});

afterAll(async () => {
  await db?.dispose();
});

async function sessionCookie(user: { id: string; role: string; departmentId: string | null; email: string }) {
  const token = await encode({
    token: { uid: user.id, role: user.role as never, departmentId: user.departmentId, organisationId: ORG_ID, email: user.email },
    secret: SECRET,
  });
  return `next-auth.session-token=${token}`;
}

type Auth = { key: string } | { cookie: string };
const headersOf = (auth: Auth): Record<string, string> => ('key' in auth ? { authorization: `Bearer ${auth.key}` } : { cookie: auth.cookie });
const admin: Auth = { key: ADMIN_KEY };

function postPrice(body: unknown, auth: Auth = admin, raw?: string, contentType = 'application/json') {
  return postPrices(
    new Request('http://localhost/api/v1/prices', {
      method: 'POST',
      headers: { ...headersOf(auth), 'content-type': contentType },
      body: raw ?? JSON.stringify(body),
    }),
  );
}

function listPrices(query: string, auth: Auth = admin) {
  return getPrices(new Request(`http://localhost/api/v1/prices${query}`, { headers: headersOf(auth) }));
}

async function ingest(events: unknown[]) {
  const response = await postUsage(
    new Request('http://localhost/api/v1/usage', {
      method: 'POST',
      headers: { authorization: `Bearer ${AGENT_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ events }),
    }),
  );
  expect(response.status).toBe(200);
  return (await response.json()) as { accepted: number; duplicates: number; errors: unknown[] };
}

async function ledgerRow(idempotencyKey: string) {
  const [row] = await db.query<{ cost: string; list: string; price_id: number | null; price_status: string; model_id: string | null }>(
    `select cost_nano::text as cost, list_cost_nano::text as list, price_id, price_status, model_id
       from ledger_events where idempotency_key = $1`,
    [idempotencyKey],
  );
  return row;
}

async function counts() {
  const [row] = await db.query<{ models: string; prices: string; audit: string }>(
    `select (select count(*) from models)::text as models, (select count(*) from model_prices)::text as prices,
            (select count(*) from audit_log)::text as audit`,
  );
  return row!;
}

/** Every price row, ids aside, as comparable text. */
async function priceRows(): Promise<string[]> {
  const rows = await db.query<{ r: string }>(
    `select concat_ws('|', model_id, kind, coalesce(organisation_id, '-'), service_tier, context_tier_min_tokens,
              to_char(effective_from at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS'), input_per_mtok, coalesce(cached_input_per_mtok::text, '-'),
              coalesce(cache_write_5m_per_mtok::text, '-'), coalesce(cache_write_1h_per_mtok::text, '-'), output_per_mtok,
              coalesce(reasoning_per_mtok::text, '-')) as r
       from model_prices order by 1`,
  );
  return rows.map((x) => x.r);
}

async function expectError(response: Response, status: number, type: string) {
  expect(response.status).toBe(status);
  const body = (await response.json()) as { error: { type: string; message: string; param: string | null } };
  expect(body.error.type).toBe(type);
  expect(body.error.message).toEqual(expect.any(String));
  return body.error;
}

// D: when the new prices start, three hours ago on a whole second, so D-1h and D+1h are both in the past.
const D = new Date(Math.floor((Date.now() - 3 * HOUR) / 1000) * 1000);
const at = (offsetMs: number) => new Date(D.getTime() + offsetMs).toISOString();
let seq = 0;
const openaiEvent = (timestamp: string) => ({
  id: `prices-${Date.now()}-${seq++}`,
  timestamp,
  provider: 'openai',
  model: 'gpt-4o-mini-2024-07-18',
  usage: { prompt_tokens: 1_000, completion_tokens: 200, total_tokens: 1_200, prompt_tokens_details: { cached_tokens: 400 } },
});
// 600 input, 400 cached, 200 output tokens: at $0.15 / $0.075 / $0.60 per Mtok, 90,000 + 30,000 + 120,000 nano-dollars.
const OLD_COST = '240000';
// At $0.30 / $0.15 / $1.20 per Mtok.
const NEW_COST = '480000';

describe('importing the public catalog feed', () => {
  it('adds every public model and price once; a second import writes nothing', async () => {
    const before = await counts();
    const first = await importCatalogFeed(db, readFeedFile(), { source: SHIPPED_FEED_SOURCE });
    expect(first).toMatchObject({ modelsInserted: 1_458, modelsUpdated: 0, pricesInserted: 1_298, pricesUnchanged: 10, conflicts: [], newProviders: [] });
    const afterFirst = await counts();
    expect(Number(afterFirst.models)).toBe(Number(before.models) + 1_458);
    expect(Number(afterFirst.prices)).toBe(Number(before.prices) + 1_298);
    expect(Number(afterFirst.audit)).toBe(Number(before.audit) + 1);
    const rows = await priceRows();

    const second = await importCatalogFeed(db, readFeedFile(), { source: SHIPPED_FEED_SOURCE });
    expect(second).toMatchObject({ modelsInserted: 0, modelsUpdated: 0, pricesInserted: 0, pricesUnchanged: 1_308, conflicts: [] });
    expect(await counts()).toEqual(afterFirst);
    expect(await priceRows()).toEqual(rows);
  });

  it('leaves the built-in models as catalog.ts has them, and feed-only models unroutable', async () => {
    const rows = await db.query<{ id: string; tier: string; routable: boolean }>(
      `select id, tier, routable from models where id in ('anthropic/claude-sonnet-4-5', 'openai/gpt-5-nano', 'openai/gpt-4o-mini', 'openai/o3') order by id`,
    );
    expect(rows).toEqual([
      { id: 'anthropic/claude-sonnet-4-5', tier: 'frontier', routable: true },
      { id: 'openai/gpt-4o-mini', tier: 'small', routable: false },
      { id: 'openai/gpt-5-nano', tier: 'small', routable: true },
      { id: 'openai/o3', tier: 'frontier', routable: false },
    ]);
    const [{ n }] = (await db.query<{ n: string }>('select count(*)::text as n from models where routable')) as [{ n: string }];
    expect(n).toBe('9');
  });

  it('holds the same prices as a database seeded with the feed', async () => {
    const seeded = generateDemoData({ seed: 5, days: 1, events: 0, now: new Date(), catalogFeed: shippedCatalog() });
    const text = (v: bigint | null | undefined) => (v === null || v === undefined ? '-' : v.toString());
    const expected = seeded.modelPrices
      .map((p) =>
        [
          p.modelId,
          p.kind,
          p.organisationId ?? '-',
          p.serviceTier,
          p.contextTierMinTokens,
          p.effectiveFrom.toISOString().slice(0, 19),
          p.inputPerMtok,
          text(p.cachedInputPerMtok),
          text(p.cacheWrite5mPerMtok),
          text(p.cacheWrite1hPerMtok),
          p.outputPerMtok,
          text(p.reasoningPerMtok),
        ].join('|'),
      )
      .sort();
    expect(await priceRows()).toEqual(expected.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(seeded.models.length).toBe(Number((await counts()).models));
  });

  it('refuses a feed that contradicts held prices, writing nothing, unless told to skip', async () => {
    const feed = readFeedFile() as { id: string; models: { id: string; prices: Record<string, unknown> }[] }[];
    const openai = feed.find((p) => p.id === 'openai')!;
    const mini = openai.models.find((m) => m.id === 'gpt-4o-mini')!;
    mini.prices = { ...mini.prices, output_mtok: 0.66 };
    const before = await counts();
    await expect(importCatalogFeed(db, feed)).rejects.toMatchObject({ status: 409, message: expect.stringMatching(/openai\/gpt-4o-mini from 2025-09-01/) });
    expect(await counts()).toEqual(before);
    const skipped = await importCatalogFeed(db, feed, { onConflict: 'skip' });
    expect(skipped).toMatchObject({ pricesInserted: 0, conflicts: [{ modelId: 'openai/gpt-4o-mini' }] });
    expect(await counts()).toEqual(before);
  });
});

describe('POST /api/v1/prices', () => {
  const oldEvent = openaiEvent(at(HOUR));
  let listPriceId: number;

  it('prices events by the version in force at their own time; written rows keep their cost', async () => {
    expect(await ingest([oldEvent])).toMatchObject({ accepted: 1, errors: [] });
    expect(await ledgerRow(oldEvent.id)).toMatchObject({ cost: OLD_COST, list: OLD_COST, price_status: 'priced', model_id: 'openai/gpt-4o-mini' });

    const response = await postPrice({ model: 'openai/gpt-4o-mini', input: '0.30', cached_input: 0.15, output: '1.2', effective_from: D.toISOString(), source: 'test: price rise' });
    expect(response.status).toBe(201);
    const created = (await response.json()) as Record<string, unknown> & { id: number; warnings: string[] };
    expect(created).toMatchObject({
      model: 'openai/gpt-4o-mini',
      provider: 'openai',
      kind: 'list',
      organisation_id: null,
      service_tier: 'standard',
      context_tier_min_tokens: 0,
      effective_from: D.toISOString(),
      in_force: true,
      usd_per_mtok: { input: '0.3', cached_input: '0.15', cache_write_5m: null, cache_write_1h: null, output: '1.2', reasoning: null },
      nano_per_mtok: { input: '300000000', cached_input: '150000000', output: '1200000000' },
      source: 'test: price rise',
    });
    expect(created.warnings).toEqual([expect.stringMatching(/already written keep their cost/)]);
    listPriceId = created.id;

    const after = openaiEvent(at(HOUR));
    const before = openaiEvent(at(-HOUR));
    expect(await ingest([after, before])).toMatchObject({ accepted: 2, errors: [] });
    expect(await ledgerRow(after.id)).toMatchObject({ cost: NEW_COST, list: NEW_COST, price_id: listPriceId, price_status: 'priced' });
    expect(await ledgerRow(before.id)).toMatchObject({ cost: OLD_COST, list: OLD_COST, price_status: 'priced' });

    // The row written before the change keeps its cost, and re-sending it changes nothing.
    expect(await ledgerRow(oldEvent.id)).toMatchObject({ cost: OLD_COST });
    expect(await ingest([oldEvent])).toMatchObject({ accepted: 0, duplicates: 1 });
    expect(await ledgerRow(oldEvent.id)).toMatchObject({ cost: OLD_COST });
  });

  it('bills a negotiated price while the list cost keeps the list price', async () => {
    const response = await postPrice({
      model: 'anthropic/claude-haiku-4-5',
      kind: 'negotiated',
      input: '0.8',
      cached_input: '0.08',
      cache_write_5m: '1',
      cache_write_1h: '1.6',
      output: '4',
      effective_from: D.toISOString(),
    });
    expect(response.status).toBe(201);
    const negotiated = (await response.json()) as { id: number; kind: string; organisation_id: string };
    expect(negotiated).toMatchObject({ kind: 'negotiated', organisation_id: ORG_ID });

    const e = {
      id: `prices-neg-${Date.now()}`,
      timestamp: at(HOUR),
      provider: 'anthropic',
      model: 'claude-haiku-4-5-20251001',
      usage: { input_tokens: 1_000, output_tokens: 500 },
    };
    const early = { ...e, id: `${e.id}-early`, timestamp: at(-HOUR) };
    expect(await ingest([e, early])).toMatchObject({ accepted: 2, errors: [] });
    // 1,000 in + 500 out: negotiated $0.80 / $4 -> 2,800,000 nano; list $1 / $5 -> 3,500,000 nano.
    expect(await ledgerRow(e.id)).toMatchObject({ cost: '2800000', list: '3500000', price_id: negotiated.id, price_status: 'priced' });
    expect(await ledgerRow(early.id)).toMatchObject({ cost: '3500000', list: '3500000' });
  });

  it('refuses bad input with a 4xx and writes nothing', async () => {
    const before = await counts();
    const ok = { model: 'openai/gpt-4o-mini', input: '0.3', output: '1.2' };
    const cases: [unknown, number, string, string?][] = [
      [{ ...ok, input: '-0.3' }, 400, 'invalid_request_error', 'input'],
      [{ ...ok, output: -1 }, 400, 'invalid_request_error', 'output'],
      [{ ...ok, input: 'NaN' }, 400, 'invalid_request_error', 'input'],
      [{ ...ok, output: '0.0000000001' }, 400, 'invalid_request_error', 'output'],
      [{ ...ok, service_tier: 'turbo' }, 400, 'invalid_request_error', 'service_tier'],
      [{ ...ok, effective_from: '2026-02-30' }, 400, 'invalid_request_error', 'effective_from'],
      [{ ...ok, surprise: true }, 400, 'invalid_request_error'],
      [{ ...ok, model: 'openai/no-such-model' }, 404, 'not_found_error'],
      [{ ...ok, kind: 'amortised' }, 400, 'invalid_request_error', 'kind'],
      // The same model, kind, tier and date as the price added above.
      [{ ...ok, effective_from: D.toISOString() }, 409, 'invalid_request_error'],
      // A long-context tier with no base price at its date.
      [{ ...ok, context_tier_min_tokens: 200_000, effective_from: at(2 * HOUR) }, 400, 'invalid_request_error', 'context_tier_min_tokens'],
    ];
    for (const [body, status, type, param] of cases) {
      const error = await expectError(await postPrice(body), status, type);
      if (param) expect(error.param, JSON.stringify(body)).toBe(param);
    }
    await expectError(await postPrice(null, admin, '{"model": '), 400, 'invalid_request_error');
    await expectError(await postPrice(null, admin, JSON.stringify(ok), 'text/plain'), 400, 'invalid_request_error');
    expect(await counts()).toEqual(before);
  });

  it('lets neither an agent, a manager nor the CFO add a price', async () => {
    const before = await counts();
    const body = { model: 'openai/gpt-4o-mini', input: '9', output: '9', effective_from: at(-2 * HOUR) };
    await expectError(await postPrice(body, { key: AGENT_KEY }), 403, 'permission_error');
    await expectError(await postPrice(body, { cookie: await sessionCookie({ ...DEMO_USERS.manager, role: 'manager' }) }), 403, 'permission_error');
    await expectError(await postPrice(body, { cookie: await sessionCookie({ ...DEMO_USERS.cfo, role: 'cfo', departmentId: null }) }), 403, 'permission_error');
    await expectError(await postPrice(body, { key: 'tg_notAKey' }), 401, 'authentication_error');
    expect(await counts()).toEqual(before);
  });

  it('writes an audit row for each price added', async () => {
    const rows = await db.query<{ action: string; actor_type: string; actor_id: string; target_id: string }>(
      `select action, actor_type, actor_id, target_id from audit_log where action like 'prices.%' order by id`,
    );
    expect(rows.map((r) => [r.action, r.actor_type, r.actor_id])).toEqual([
      ['prices.import', 'system', 'prices-import'],
      ['prices.add', 'api_key', 'key_ops_admin'],
      ['prices.add', 'api_key', 'key_ops_admin'],
    ]);
    expect(rows[1]!.target_id).toBe(String(listPriceId));
  });
});

describe('GET /api/v1/prices', () => {
  interface Version {
    id: number;
    kind: string;
    service_tier: string;
    in_force: boolean;
    effective_from: string;
    usd_per_mtok: { input: string; output: string };
  }

  it('lists a model\'s versions, marking those in force now', async () => {
    const response = await listPrices('?model=openai/gpt-4o-mini');
    expect(response.status).toBe(200);
    const { data } = (await response.json()) as { data: Version[] };
    expect(data.map((v) => [v.effective_from, v.usd_per_mtok.input, v.usd_per_mtok.output, v.in_force])).toEqual([
      ['2025-09-01T00:00:00.000Z', '0.15', '0.6', false],
      [D.toISOString(), '0.3', '1.2', true],
    ]);
  });

  it('shows negotiated prices to those who read spend, list prices only to agents', async () => {
    const kinds = async (auth: Auth) => {
      const response = await listPrices('?model=anthropic/claude-haiku-4-5', auth);
      expect(response.status).toBe(200);
      // Standard tier only: the catalog also carries Haiku's batch list price.
      return ((await response.json()) as { data: Version[] }).data.filter((v) => v.service_tier === 'standard').map((v) => v.kind);
    };
    expect(await kinds({ key: AGENT_KEY })).toEqual(['list']);
    expect(await kinds({ cookie: await sessionCookie({ ...DEMO_USERS.cfo, role: 'cfo', departmentId: null }) })).toEqual(['list', 'negotiated']);
    expect(await kinds(admin)).toEqual(['list', 'negotiated']);
  });

  it('answers 404 for an unknown model and 400 for an unknown filter', async () => {
    await expectError(await listPrices('?model=openai/no-such-model'), 404, 'not_found_error');
    await expectError(await listPrices('?color=blue'), 400, 'invalid_request_error');
  });
});
