import { describe, expect, it } from 'vitest';
import { choosePrices, type PriceVersion } from '@/lib/engine/prices';

const v = (over: Partial<PriceVersion> & Pick<PriceVersion, 'id' | 'effectiveFrom'>): PriceVersion => ({
  modelId: 'm',
  kind: 'list',
  organisationId: null,
  serviceTier: 'standard',
  contextTierMinTokens: 0,
  inputPerMtok: 1n,
  cachedInputPerMtok: null,
  cacheWrite5mPerMtok: null,
  cacheWrite1hPerMtok: null,
  outputPerMtok: 1n,
  reasoningPerMtok: null,
  ...over,
});

const versions = [
  v({ id: 1, effectiveFrom: new Date('2025-01-01T00:00:00Z') }),
  v({ id: 2, effectiveFrom: new Date('2025-06-10T00:00:00Z') }),
  v({ id: 3, effectiveFrom: new Date('2025-06-10T00:00:00Z'), contextTierMinTokens: 200_000 }),
  v({ id: 4, effectiveFrom: new Date('2025-01-01T00:00:00Z'), serviceTier: 'batch' }),
  v({ id: 5, effectiveFrom: new Date('2025-03-01T00:00:00Z'), kind: 'negotiated', organisationId: 'org_a' }),
  v({ id: 6, effectiveFrom: new Date('2025-03-01T00:00:00Z'), kind: 'negotiated', organisationId: 'org_b' }),
];
const input = { organisationId: 'org_x', at: new Date('2025-07-01T00:00:00Z'), promptTokens: 1_000, serviceTier: 'standard' as const };

describe('choosePrices', () => {
  it('takes the version in force at the event time, including the instant it starts', () => {
    expect(choosePrices(versions, input).billed).toMatchObject({ price: { id: 2 }, status: 'priced' });
    expect(choosePrices(versions, { ...input, at: new Date('2025-06-09T23:59:59Z') }).billed?.price.id).toBe(1);
    expect(choosePrices(versions, { ...input, at: new Date('2025-06-10T00:00:00Z') }).billed?.price.id).toBe(2);
  });

  it('prices a backfill older than every version at the earliest one, and says so', () => {
    expect(choosePrices(versions, { ...input, at: new Date('2024-03-01T00:00:00Z') }).billed).toMatchObject({
      price: { id: 1 },
      status: 'earliest_known',
    });
  });

  it('bills the whole request at the long-context tier the prompt reaches', () => {
    expect(choosePrices(versions, { ...input, promptTokens: 200_000 }).billed?.price.id).toBe(3);
    expect(choosePrices(versions, { ...input, promptTokens: 199_999 }).billed?.price.id).toBe(2);
  });

  it('uses a service tier price when there is one, else standard', () => {
    expect(choosePrices(versions, { ...input, serviceTier: 'batch' }).billed?.price.id).toBe(4);
    expect(choosePrices(versions, { ...input, serviceTier: 'priority' }).billed?.price.id).toBe(2);
  });

  it("bills an organisation's negotiated price and keeps the list price beside it", () => {
    const priced = choosePrices(versions, { ...input, organisationId: 'org_a' });
    expect(priced.billed?.price.id).toBe(5);
    expect(priced.list?.price.id).toBe(2);
    expect(choosePrices(versions, { ...input, organisationId: 'org_b' }).billed?.price.id).toBe(6);
  });

  it('bills a contract only from its own date while a list price covers the time before', () => {
    const before = choosePrices(versions, { ...input, organisationId: 'org_a', at: new Date('2025-02-01T00:00:00Z') });
    expect(before.billed).toMatchObject({ price: { id: 1 }, status: 'priced' });
    const selfHosted = [v({ id: 7, effectiveFrom: new Date('2025-03-01T00:00:00Z'), kind: 'amortised', organisationId: 'org_a' })];
    expect(choosePrices(selfHosted, { ...input, organisationId: 'org_a', at: new Date('2025-02-01T00:00:00Z') }).billed).toMatchObject({
      price: { id: 7 },
      status: 'earliest_known',
    });
  });

  it('falls back to standard for list and contracted prices each on its own', () => {
    // org_a at the batch tier: a batch list price exists, a batch contract does not.
    const priced = choosePrices(versions, { ...input, organisationId: 'org_a', serviceTier: 'batch' });
    expect(priced.list?.price.id).toBe(4);
    expect(priced.billed?.price.id).toBe(5);
    const flexContract = [...versions, v({ id: 8, effectiveFrom: new Date('2025-03-01T00:00:00Z'), kind: 'negotiated', organisationId: 'org_a', serviceTier: 'flex' })];
    const flex = choosePrices(flexContract, { ...input, organisationId: 'org_a', serviceTier: 'flex' });
    expect(flex.list?.price.id).toBe(2);
    expect(flex.billed?.price.id).toBe(8);
  });

  it('finds nothing for a model without prices', () => {
    expect(choosePrices([], input)).toEqual({ billed: null, list: null });
  });
});
