import { describe, expect, it } from 'vitest';
import { ROLLUPS, rollupDeltas } from '@/db/rollups';
import type { NewLedgerEvent } from '@/db/schema';

/** A small deterministic PRNG so the rows are the same every run. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1_664_525 + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

function rows(count: number, seed: number, money: () => bigint): NewLedgerEvent[] {
  const next = rng(seed);
  const pick = <T,>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
  return Array.from({ length: count }, (_, i) => ({
    id: `r${i}`,
    idempotencyKey: `r${i}`,
    organisationId: pick(['org_a', 'org_b']),
    occurredAt: new Date(Date.UTC(2026, 2, 1) + Math.floor(next() * 3 * 86_400_000)),
    source: 'ingest' as const,
    provider: 'openai',
    modelName: pick(['gpt-5', 'gpt-5-mini']),
    tier: pick(['frontier', 'small'] as const),
    departmentId: pick(['dep_a', 'dep_b', null]),
    projectId: pick(['prj_a', null]),
    taskType: pick(['summarize', null]),
    apiKeyId: pick(['key_a', 'key_b', null]),
    userId: pick(['usr_a', 'usr_b', null]),
    status: pick(['ok', 'ok', 'error', 'refused'] as const),
    cacheHit: pick(['hit', null]),
    priceStatus: pick(['priced', 'unpriced'] as const),
    inputTokens: Math.floor(next() * 2 ** 31),
    cachedInputTokens: Math.floor(next() * 1000),
    cacheWrite5mTokens: Math.floor(next() * 100),
    cacheWrite1hTokens: next() < 0.5 ? undefined : 7,
    outputTokens: Math.floor(next() * 500),
    reasoningTokens: next() < 0.5 ? undefined : 3,
    costNano: money(),
    listCostNano: money(),
    savedNano: next() < 0.5 ? undefined : money(),
  }));
}

/** The rollup groups computed the plain way, with BigInt sums, written out column by column as the SQL spec reads. */
function expected(table: string, source: NewLedgerEvent[]): Map<string, string[]> {
  const rollup = ROLLUPS.find((r) => r.table === table)!;
  const groups = new Map<string, bigint[]>();
  for (const row of source) {
    if (table === 'ledger_daily_keys' && row.apiKeyId == null) continue;
    if (table === 'ledger_daily_users' && row.userId == null) continue;
    const iso = (row.occurredAt as Date).toISOString();
    const bucket = rollup.grain === 'hour' ? `${iso.slice(0, 13)}:00:00.000Z` : iso.slice(0, 10);
    const dims = { department_id: row.departmentId, project_id: row.projectId, model_name: row.modelName, tier: row.tier, task_type: row.taskType, api_key_id: row.apiKeyId, user_id: row.userId };
    const key = JSON.stringify([row.organisationId, bucket, ...rollup.dimensions.map((d) => dims[d as keyof typeof dims] ?? null)]);
    const n = (v: number | undefined | null) => BigInt(v ?? 0);
    // A refused call is not a request.
    const request = row.status === 'refused' ? 0n : 1n;
    const tokens = [row.inputTokens, row.cachedInputTokens, row.cacheWrite5mTokens, row.cacheWrite1hTokens, row.outputTokens, row.reasoningTokens];
    const values =
      table === 'ledger_daily_keys' || table === 'ledger_daily_users'
        ? [request, tokens.reduce((s: bigint, t) => s + n(t), 0n), row.costNano ?? 0n]
        : [
            request,
            row.status === 'error' ? 1n : 0n,
            row.cacheHit === 'hit' ? 1n : 0n,
            row.priceStatus === 'unpriced' ? 1n : 0n,
            n(row.inputTokens),
            n(row.cachedInputTokens),
            n(row.cacheWrite5mTokens) + n(row.cacheWrite1hTokens),
            n(row.outputTokens),
            n(row.reasoningTokens),
            row.costNano ?? 0n,
            row.listCostNano ?? 0n,
            row.savedNano ?? 0n,
            // The daily rollup also keeps the 1-hour cache writes apart.
            ...(table === 'ledger_daily' ? [n(row.cacheWrite1hTokens)] : []),
          ];
    const sums = groups.get(key) ?? values.map(() => 0n);
    groups.set(
      key,
      sums.map((s, i) => s + values[i]!),
    );
  }
  return new Map([...groups].map(([key, sums]) => [key, sums.map(String)]));
}

function actual(table: string, source: NewLedgerEvent[]): Map<string, string[]> {
  const delta = rollupDeltas(source).find((d) => d.rollup.table === table);
  const out = new Map<string, string[]>();
  if (!delta) return out;
  const width = 2 + delta.rollup.dimensions.length;
  const count = delta.params[0]!.length;
  for (let g = 0; g < count; g++) {
    const column = (i: number) => delta.params[i]![g];
    const key = JSON.stringify(Array.from({ length: width }, (_, i) => column(i)));
    out.set(
      key,
      delta.params.slice(width).map((values) => String(values[g])),
    );
  }
  return out;
}

describe('rollupDeltas', () => {
  for (const [name, money] of [
    ['ordinary amounts', (next: () => number) => () => BigInt(Math.floor(next() * 5_000_000))],
    ['amounts whose sums cross 2^53', (next: () => number) => () => 2n ** 50n + BigInt(Math.floor(next() * 1e6))],
    ['amounts beyond 2^53 and negative credits', (next: () => number) => () => (next() < 0.2 ? -(2n ** 54n) : 2n ** 54n + 3n)],
  ] as const) {
    it(`sums every rollup exactly as a BigInt reference does: ${name}`, () => {
      const source = rows(3_000, 7, money(rng(11)));
      for (const { table } of ROLLUPS) expect(actual(table, source)).toEqual(expected(table, source));
    });
  }

  it('sums only the asked range and returns nothing for rollups no row counts in', () => {
    const source = rows(200, 3, () => 5n);
    const part = source.slice(50, 120);
    for (const { table } of ROLLUPS) {
      const delta = rollupDeltas(source, 50, 120).find((d) => d.rollup.table === table);
      const direct = rollupDeltas(part).find((d) => d.rollup.table === table);
      expect(delta?.params).toEqual(direct?.params);
    }
    const keyless = source.map((r) => ({ ...r, apiKeyId: null }));
    expect(rollupDeltas(keyless).map((d) => d.rollup.table)).not.toContain('ledger_daily_keys');
    const anonymous = source.map((r) => ({ ...r, userId: null }));
    expect(rollupDeltas(anonymous).map((d) => d.rollup.table)).not.toContain('ledger_daily_users');
    expect(rollupDeltas(source, 10, 10)).toEqual([]);
  });
});
