import { describe, expect, it } from 'vitest';
import { COLUMNS, type LedgerRowInput } from '@/lib/server/ledger-columns';
import { binaryCopyData, LedgerCopyValueError } from '@/lib/server/ledger-copy';

/** An independent reader of PostgreSQL's binary COPY format, for these columns' types. */
function decode(data: Buffer): Record<string, unknown>[] {
  let at = 0;
  const take = (n: number) => {
    const part = data.subarray(at, at + n);
    at += n;
    return part;
  };
  expect([...take(11)]).toEqual([...Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1')]);
  expect(take(4).readInt32BE()).toBe(0);
  expect(take(4).readInt32BE()).toBe(0);
  const rows: Record<string, unknown>[] = [];
  for (;;) {
    const fields = take(2).readInt16BE();
    if (fields === -1) break;
    expect(fields).toBe(COLUMNS.length);
    const row: Record<string, unknown> = {};
    for (const [key, , type] of COLUMNS) {
      const length = take(4).readInt32BE();
      if (length === -1) {
        row[key] = null;
        continue;
      }
      const bytes = take(length);
      if (type === 'text') row[key] = bytes.toString('utf8');
      else if (type === 'int4') row[key] = bytes.readInt32BE();
      else if (type === 'int8') row[key] = bytes.readBigInt64BE();
      else if (type === 'float4') row[key] = bytes.readFloatBE();
      else row[key] = new Date(Number(bytes.readBigInt64BE() / 1000n) + Date.UTC(2000, 0, 1));
    }
    rows.push(row);
  }
  expect(at).toBe(data.length);
  return rows;
}

const row = (over: Partial<LedgerRowInput> = {}): LedgerRowInput => ({
  id: 'evt_1',
  idempotencyKey: 'k1',
  organisationId: 'org_a',
  occurredAt: new Date('2026-03-04T05:06:07.089Z'),
  source: 'ingest',
  provider: 'openai',
  modelName: 'gpt-5',
  tier: 'frontier',
  priceStatus: 'priced',
  ...over,
});

const encode = (rows: LedgerRowInput[]) => Buffer.concat([...binaryCopyData(rows)]);

describe('binaryCopyData', () => {
  it('writes every column in order, with the defaults a row omits and nulls for the rest', () => {
    const [decoded] = decode(encode([row()]));
    expect(decoded).toMatchObject({
      id: 'evt_1',
      organisationId: 'org_a',
      occurredAt: new Date('2026-03-04T05:06:07.089Z'),
      serviceTier: 'standard',
      inputTokens: 0,
      costNano: 0n,
      costSource: 'estimated',
      status: 'ok',
      attempt: 1,
      departmentId: null,
      overheadMs: null,
    });
  });

  it('keeps text byte-exact: tabs, newlines, backslashes and multi-byte characters need no escaping', () => {
    const text = 'tab\there\nnew\\line — naïve 日本 🚀';
    const [decoded] = decode(encode([row({ routeReason: text, agent: 'ascii-then-ü' })]));
    expect(decoded!.routeReason).toBe(text);
    expect(decoded!.agent).toBe('ascii-then-ü');
  });

  it('writes int8 exactly on both sides of 2^53, negatives included, and times before 2000', () => {
    const huge = 2n ** 62n + 12_345n;
    const [decoded] = decode(
      encode([
        row({
          costNano: huge,
          listCostNano: -(2n ** 40n) - 7n,
          savedNano: 9_007_199_254_740_993n,
          occurredAt: new Date('1999-12-31T23:59:59.999Z'),
        }),
      ]),
    );
    expect(decoded!.costNano).toBe(huge);
    expect(decoded!.listCostNano).toBe(-(2n ** 40n) - 7n);
    expect(decoded!.savedNano).toBe(9_007_199_254_740_993n);
    expect(decoded!.occurredAt).toEqual(new Date('1999-12-31T23:59:59.999Z'));
  });

  it('writes int4 and float4 values', () => {
    const [decoded] = decode(encode([row({ inputTokens: 2_147_483_647, attempt: 3, overheadMs: 1.5, latencyMs: -4 })]));
    expect(decoded).toMatchObject({ inputTokens: 2_147_483_647, attempt: 3, overheadMs: 1.5, latencyMs: -4 });
  });

  it('spans buffers: many rows and one field larger than a buffer come back whole', () => {
    const long = 'x'.repeat(600_000);
    const rows = Array.from({ length: 5_000 }, (_, i) => row({ id: `evt_${i}`, idempotencyKey: `k${i}`, inputTokens: i }));
    rows[2_500] = { ...rows[2_500]!, routeReason: long };
    const chunks = [...binaryCopyData(rows)];
    expect(chunks.length).toBeGreaterThan(2);
    const decoded = decode(Buffer.concat(chunks));
    expect(decoded.map((r) => r.inputTokens)).toEqual(rows.map((_, i) => i));
    expect(decoded[2_500]!.routeReason).toBe(long);
  });

  it('encodes only the asked range', () => {
    const rows = Array.from({ length: 10 }, (_, i) => row({ id: `evt_${i}` }));
    expect(decode(encode(rows.slice(0, 0))).length).toBe(0);
    expect(decode(Buffer.concat([...binaryCopyData(rows, 3, 6)])).map((r) => r.id)).toEqual(['evt_3', 'evt_4', 'evt_5']);
  });

  it('refuses values the column cannot hold, naming the row and column', () => {
    const bad: [Partial<LedgerRowInput>, string][] = [
      [{ inputTokens: 1.5 }, 'input_tokens'],
      [{ outputTokens: 2 ** 31 }, 'output_tokens'],
      [{ costNano: 2n ** 63n }, 'cost_nano'],
      [{ occurredAt: new Date(Number.NaN) }, 'occurred_at'],
      [{ overheadMs: Number.NaN }, 'overhead_ms'],
      [{ provider: 42 as unknown as string }, 'provider'],
    ];
    for (const [over, column] of bad) {
      const rows = [row(), row(over)];
      const error = (() => {
        try {
          encode(rows);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(LedgerCopyValueError);
      expect(error).toMatchObject({ row: 1, column });
    }
  });
});
