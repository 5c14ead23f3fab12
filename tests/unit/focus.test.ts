/**
 * The FOCUS export's formatting, and its conformance to FOCUS 1.2 on a small
 * synthetic data set, checked by a conformance checker built from the spec's
 * own column table.
 */
import { describe, expect, it } from 'vitest';
import {
  FOCUS_COLUMNS,
  focusDateTime,
  focusFilename,
  focusRows,
  monthPeriod,
  scaledDecimal,
  type ChargeLine,
} from '@/lib/engine/focus';
import { usdToNano } from '@/lib/engine/money';
import { toCsv } from '@/lib/http/csv';
import { checkFocusCsv, loadFocusColumns, parseCsv } from '../support/focus-conformance';

const ACCOUNT = { organisationId: 'org_test', organisationName: 'Test, Mutual & "Sons"' };
const NOVEMBER = monthPeriod('2026-11')!;

const base: ChargeLine = {
  day: '2026-11-03',
  departmentId: 'dep_claims',
  departmentName: 'Claims',
  costCenter: 'CC-4100',
  projectId: 'prj_motor',
  projectName: 'Motor claims, triage',
  provider: 'anthropic',
  modelKey: 'anthropic/claude-sonnet-4-5',
  modelName: 'Claude Sonnet 4.5',
  bucket: 'input',
  priceId: 7,
  priceStatus: 'priced',
  priceKind: 'list',
  serviceTier: 'standard',
  tokens: '1234567',
  // 1,234,567 tokens at $3 per million: $3.703701.
  costNano: '3703701000',
  listCostNano: '3703701000',
  ratePerMtokNano: '3000000000',
  listRatePerMtokNano: '3000000000',
};

/** A small data set with every kind of line the export writes. */
const LINES: ChargeLine[] = [
  base,
  { ...base, bucket: 'cached_input', tokens: '500000', costNano: '150000000', listCostNano: '150000000', ratePerMtokNano: '300000000', listRatePerMtokNano: '300000000' },
  { ...base, bucket: 'cache_write_5m', tokens: '80000', costNano: '300000000', listCostNano: '300000000', ratePerMtokNano: '3750000000', listRatePerMtokNano: '3750000000' },
  { ...base, bucket: 'cache_write_1h', tokens: '1', costNano: '6000', listCostNano: '6000', ratePerMtokNano: '6000000000', listRatePerMtokNano: '6000000000' },
  { ...base, bucket: 'output', tokens: '42', costNano: '630000', listCostNano: '630000', ratePerMtokNano: '15000000000', listRatePerMtokNano: '15000000000' },
  { ...base, bucket: 'reasoning', day: '2026-11-30', tokens: '100', costNano: '1500000', listCostNano: '1500000', ratePerMtokNano: '15000000000', listRatePerMtokNano: '15000000000' },
  // Negotiated: billed below list.
  {
    ...base,
    modelKey: 'openai/gpt-5',
    modelName: 'GPT-5',
    provider: 'openai',
    priceId: 31,
    priceKind: 'negotiated',
    tokens: '2000000',
    costNano: '2000000000',
    listCostNano: '2500000000',
    ratePerMtokNano: '1000000000',
    listRatePerMtokNano: '1250000000',
  },
  // Unpriced, with no department or project.
  {
    ...base,
    departmentId: null,
    departmentName: null,
    costCenter: null,
    projectId: null,
    projectName: null,
    provider: 'openai_compatible',
    modelKey: 'openai_compatible/mystery-7b',
    modelName: 'mystery-7b',
    priceId: null,
    priceStatus: 'unpriced',
    priceKind: null,
    serviceTier: null,
    tokens: '9999',
    costNano: '0',
    listCostNano: '0',
    ratePerMtokNano: null,
    listRatePerMtokNano: null,
  },
  // Backfill priced at the earliest known price, department without a project.
  { ...base, day: '2026-11-01', projectId: null, projectName: null, priceStatus: 'earliest_known', provider: 'self_hosted', modelKey: 'self_hosted/llama-3.3-70b', modelName: 'Llama 3.3 70B (self-hosted)', priceKind: 'amortised' },
];

const csv = toCsv(FOCUS_COLUMNS, focusRows(LINES, ACCOUNT, NOVEMBER));

describe('FOCUS 1.2 conformance of the export', () => {
  it('the column table has the spec mandatory columns', () => {
    const spec = loadFocusColumns();
    const mandatory = [...spec.values()].filter((c) => c.featureLevel === 'Mandatory').map((c) => c.id);
    expect(mandatory).toContain('BilledCost');
    expect(mandatory).toContain('PricingUnit');
    expect(mandatory.length).toBeGreaterThanOrEqual(20);
  });

  it('has no problems on a synthetic data set', () => {
    const report = checkFocusCsv(csv);
    expect(report.problems).toEqual([]);
    expect(report.rows).toHaveLength(LINES.length);
    for (const c of report.columns) if (!loadFocusColumns().has(c)) expect(c).toMatch(/^x_/);
  });

  it('writes every Mandatory column and the Conditional ones that apply', () => {
    const spec = loadFocusColumns();
    for (const c of spec.values()) if (c.featureLevel === 'Mandatory') expect(FOCUS_COLUMNS).toContain(c.id);
    for (const c of ['ConsumedQuantity', 'ConsumedUnit', 'ContractedUnitPrice', 'ListUnitPrice', 'PricingCategory', 'SkuId', 'SkuPriceId', 'SubAccountId', 'SubAccountName', 'Tags', 'ResourceId']) {
      expect(FOCUS_COLUMNS).toContain(c);
    }
  });

  it('writes the documented values', () => {
    const [first, , , writeHour, output, reasoning, negotiated, unpriced, backfill] = checkFocusCsv(csv).rows;
    expect(first).toMatchObject({
      BilledCost: '3.703701',
      EffectiveCost: '3.703701',
      ContractedCost: '3.703701',
      ListCost: '3.703701',
      BillingAccountId: 'org_test',
      BillingAccountName: 'Test, Mutual & "Sons"',
      BillingCurrency: 'USD',
      BillingPeriodStart: '2026-11-01T00:00:00Z',
      BillingPeriodEnd: '2026-12-01T00:00:00Z',
      ChargePeriodStart: '2026-11-03T00:00:00Z',
      ChargePeriodEnd: '2026-11-04T00:00:00Z',
      ChargeCategory: 'Usage',
      ChargeClass: null,
      ChargeFrequency: 'Usage-Based',
      ConsumedQuantity: '1234567',
      ConsumedUnit: 'Tokens',
      PricingQuantity: '1.234567',
      PricingUnit: '1M Tokens',
      ListUnitPrice: '3',
      ContractedUnitPrice: '3',
      PricingCategory: 'Standard',
      ProviderName: 'Anthropic',
      PublisherName: 'Anthropic',
      InvoiceIssuerName: 'Tollgate',
      ResourceId: 'anthropic/claude-sonnet-4-5',
      ResourceName: 'Claude Sonnet 4.5',
      ServiceCategory: 'AI and Machine Learning',
      SkuId: 'anthropic/claude-sonnet-4-5:input',
      SkuPriceId: 'anthropic/claude-sonnet-4-5:input:price-7',
      SubAccountId: 'dep_claims',
      SubAccountName: 'Claims',
      x_CostCenter: 'CC-4100',
      x_ProjectId: 'prj_motor',
      x_ProjectName: 'Motor claims, triage',
      x_TokenDirection: 'input',
      x_CacheAction: 'none',
      x_PriceStatus: 'priced',
    });
    expect(JSON.parse(first!.Tags!)).toEqual({
      'tollgate/cost-center': 'CC-4100',
      'tollgate/project': 'prj_motor',
      'tollgate/project-name': 'Motor claims, triage',
    });
    expect(writeHour).toMatchObject({ SkuId: 'anthropic/claude-sonnet-4-5:cache_write_1h', x_CacheAction: 'write_1h', BilledCost: '0.000006', PricingQuantity: '0.000001' });
    expect(output).toMatchObject({ x_TokenDirection: 'output', x_CacheAction: 'none', ContractedUnitPrice: '15' });
    expect(reasoning).toMatchObject({ x_TokenDirection: 'reasoning', ChargePeriodStart: '2026-11-30T00:00:00Z', ChargePeriodEnd: '2026-12-01T00:00:00Z' });
    expect(negotiated).toMatchObject({ BilledCost: '2', ListCost: '2.5', ContractedUnitPrice: '1', ListUnitPrice: '1.25', ProviderName: 'OpenAI' });
    expect(unpriced).toMatchObject({
      BilledCost: '0',
      ListCost: '0',
      ContractedUnitPrice: '0',
      ListUnitPrice: '0',
      PricingCategory: 'Other',
      SkuPriceId: 'openai_compatible/mystery-7b:input:unpriced',
      SkuPriceDetails: null,
      SubAccountId: null,
      SubAccountName: null,
      Tags: null,
      x_PriceStatus: 'unpriced',
      ConsumedQuantity: '9999',
    });
    expect(backfill).toMatchObject({ x_PriceStatus: 'earliest_known', PricingCategory: 'Standard', x_ProjectId: null });
    expect(JSON.parse(backfill!.Tags!)).toEqual({ 'tollgate/cost-center': 'CC-4100' });
  });

  it('prices each line at unit price x quantity where the split is exact', () => {
    for (const row of checkFocusCsv(csv).rows) {
      const quantityMicro = usdToNano(row.PricingQuantity!) / 1_000n; // millionths of 1M tokens = tokens
      expect(quantityMicro.toString()).toBe(row.ConsumedQuantity);
      const exact = (usdToNano(row.ContractedUnitPrice!) * BigInt(row.ConsumedQuantity!)) / 1_000_000n;
      expect(exact).toBe(usdToNano(row.BilledCost!));
    }
  });
});

describe('the conformance checker', () => {
  const rows = () => parseCsv(csv);
  const rewrite = (edit: (records: string[][]) => void) => {
    const records = rows();
    edit(records);
    return records.map((r) => r.map((f) => (/[",\r\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f)).join(',')).join('\r\n');
  };
  const column = (name: string) => rows()[0]!.indexOf(name);

  it('catches a missing Mandatory column', () => {
    const text = rewrite((r) => {
      const i = column('InvoiceIssuerName');
      for (const record of r) record.splice(i, 1);
    });
    expect(checkFocusCsv(text).problems).toContain('Mandatory column InvoiceIssuerName is missing');
  });

  it.each([
    ['BilledCost', '1.5e-3', 'not a plain decimal'],
    ['ListCost', '$1,000.00', 'not a plain decimal'],
    ['ChargePeriodStart', '11/3/26', 'not a UTC ISO 8601 date-time'],
    ['ChargePeriodStart', '2026-11-03T00:00:00.000Z', 'not a UTC ISO 8601 date-time'],
    ['ChargeCategory', 'usage', 'not an allowed value'],
    ['ServiceCategory', 'AI', 'not an allowed value'],
    ['PricingCategory', 'On-Demand', 'not an allowed value'],
    ['ChargeFrequency', 'Hourly', 'not an allowed value'],
    ['BillingCurrency', '', 'allows no nulls'],
    ['SkuPriceId', '', 'SkuPriceId is null on a Usage row'],
    ['Tags', '[1,2]', 'not a JSON key-value object'],
  ])('catches %s = %j', (name, value, message) => {
    const text = rewrite((r) => {
      r[1]![column(name)] = value;
    });
    expect(checkFocusCsv(text).problems.join('\n')).toContain(message);
  });

  it('catches a custom column without the x_ prefix', () => {
    const text = rewrite((r) => {
      r[0]![column('x_CostCenter')] = 'CostCenter';
    });
    expect(checkFocusCsv(text).problems).toContain('column CostCenter is neither a FOCUS 1.2 column nor a custom x_ column');
  });
});

describe('formatting helpers', () => {
  it('writes scaled integers as plain decimals', () => {
    expect(scaledDecimal(1_234_500n, 6)).toBe('1.2345');
    expect(scaledDecimal(0n, 6)).toBe('0');
    expect(scaledDecimal(1n, 9)).toBe('0.000000001');
    expect(scaledDecimal(-1_500_000_000n, 9)).toBe('-1.5');
    expect(scaledDecimal(12_000_000n, 6)).toBe('12');
    expect(scaledDecimal(123n, 0)).toBe('123');
  });

  it('parses months and nothing else', () => {
    expect(monthPeriod('2026-11')).toEqual({ label: '2026-11', start: new Date('2026-11-01T00:00:00Z'), end: new Date('2026-12-01T00:00:00Z') });
    expect(monthPeriod('2026-12')!.end).toEqual(new Date('2027-01-01T00:00:00Z'));
    expect(monthPeriod('2028-02')!.end).toEqual(new Date('2028-03-01T00:00:00Z'));
    for (const bad of ['2026-13', '2026-00', '26-11', '2026-1', '2026-11-01', '', 'november']) expect(monthPeriod(bad)).toBeNull();
  });

  it('writes date-times in whole UTC seconds and names the file after the month', () => {
    expect(focusDateTime(new Date('2026-11-01T00:00:00.000Z'))).toBe('2026-11-01T00:00:00Z');
    expect(focusFilename('2026-11')).toBe('tollgate-focus-2026-11.csv');
  });
});
