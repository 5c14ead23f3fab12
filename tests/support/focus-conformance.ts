/**
 * A FOCUS 1.2 conformance checker for CSV exports, built from the spec's own
 * column table (tests/fixtures/focus-1.2/columns.csv) plus the allowed values
 * and nullability rules of the column pages. It checks what a file can show
 * by itself: columns, nulls, formats, enums and the cross-column rules that
 * apply to usage rows. It returns every problem found, so a failing test says
 * what is wrong, not just that something is.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface FocusColumnSpec {
  id: string;
  featureLevel: 'Mandatory' | 'Recommended' | 'Conditional';
  allowsNulls: boolean;
  dataType: 'String' | 'Decimal' | 'Date/Time' | 'JSON';
}

/** RFC 4180: quoted fields may hold commas, quotes (doubled) and line breaks; records end in CRLF or LF. */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const endField = () => {
    record.push(field);
    field = '';
  };
  const endRecord = () => {
    endField();
    records.push(record);
    record = [];
  };
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else field += c;
      i += 1;
      continue;
    }
    if (c === '"' && field === '') quoted = true;
    else if (c === ',') endField();
    else if (c === '\r' && text[i + 1] === '\n') {
      endRecord();
      i += 1;
    } else if (c === '\n') endRecord();
    else field += c;
    i += 1;
  }
  if (quoted) throw new Error('CSV ends inside a quoted field');
  if (field !== '' || record.length > 0) endRecord();
  return records;
}

/** The column table, read from the copy under tests/fixtures. */
export function loadFocusColumns(): Map<string, FocusColumnSpec> {
  const file = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'fixtures', 'focus-1.2', 'columns.csv');
  const [header, ...rows] = parseCsv(fs.readFileSync(file, 'utf8'));
  const at = (name: string) => header!.indexOf(name);
  const columns = new Map<string, FocusColumnSpec>();
  for (const row of rows) {
    if (row.length < header!.length) continue;
    columns.set(row[at('ColumnId')]!, {
      id: row[at('ColumnId')]!,
      featureLevel: row[at('FeatureLevel')] as FocusColumnSpec['featureLevel'],
      allowsNulls: row[at('AllowsNulls')] === 'True',
      dataType: row[at('DataType')] as FocusColumnSpec['dataType'],
    });
  }
  return columns;
}

/** Allowed values, FOCUS 1.2. */
export const ALLOWED: Record<string, readonly (string | null)[]> = {
  ChargeCategory: ['Usage', 'Purchase', 'Tax', 'Credit', 'Adjustment'],
  ChargeClass: [null, 'Correction'],
  ChargeFrequency: ['One-Time', 'Recurring', 'Usage-Based'],
  PricingCategory: [null, 'Standard', 'Dynamic', 'Committed', 'Other'],
  CommitmentDiscountStatus: [null, 'Used', 'Unused'],
  CommitmentDiscountCategory: [null, 'Spend', 'Usage'],
  CapacityReservationStatus: [null, 'Used', 'Unused'],
  ServiceCategory: [
    'AI and Machine Learning',
    'Analytics',
    'Business Applications',
    'Compute',
    'Databases',
    'Developer Tools',
    'Identity',
    'Integration',
    'Internet of Things',
    'Management and Governance',
    'Media',
    'Migration',
    'Mobile',
    'Multicloud',
    'Networking',
    'Security',
    'Storage',
    'Web',
    'Other',
  ],
};

/** ServiceSubcategory values of the AI and Machine Learning category (the only one Tollgate uses). */
const AI_SUBCATEGORIES = ['AI Platforms', 'Bots', 'Generative AI', 'Machine Learning', 'Natural Language Processing', 'Other (AI and Machine Learning)'];

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/;
const DECIMAL = /^-?\d+(\.\d+)?$/;
const CURRENCY = /^[A-Z]{3}$/;

function isDateTime(value: string): boolean {
  const m = DATE_TIME.exec(value);
  if (!m) return false;
  const at = new Date(value);
  return !Number.isNaN(at.getTime()) && at.toISOString().replace('.000Z', 'Z') === value;
}

function isKeyValueObject(value: string): boolean {
  try {
    const parsed: unknown = JSON.parse(value);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return false;
    return Object.values(parsed).every((v) => v === null || ['string', 'number', 'boolean'].includes(typeof v));
  } catch {
    return false;
  }
}

export interface ConformanceReport {
  columns: string[];
  rows: Record<string, string | null>[];
  problems: string[];
}

/** Checks a FOCUS CSV; an empty `problems` means it conforms as far as a file alone can show. */
export function checkFocusCsv(csv: string, spec = loadFocusColumns()): ConformanceReport {
  const problems: string[] = [];
  const [header = [], ...records] = parseCsv(csv);
  const columns = header;
  const seen = new Set<string>();
  for (const c of columns) {
    if (seen.has(c)) problems.push(`column ${c} appears twice`);
    seen.add(c);
    if (!spec.has(c) && !c.startsWith('x_')) problems.push(`column ${c} is neither a FOCUS 1.2 column nor a custom x_ column`);
  }
  for (const s of spec.values()) {
    if (s.featureLevel === 'Mandatory' && !seen.has(s.id)) problems.push(`Mandatory column ${s.id} is missing`);
  }

  const rows = records.map((r, index) => {
    if (r.length !== columns.length) problems.push(`row ${index + 1} has ${r.length} fields, the header ${columns.length}`);
    return Object.fromEntries(columns.map((c, i) => [c, r[i] === undefined || r[i] === '' ? null : r[i]!])) as Record<string, string | null>;
  });

  const report = (row: number, message: string) => {
    if (problems.length < 200) problems.push(`row ${row + 1}: ${message}`);
  };

  rows.forEach((row, n) => {
    const has = (c: string) => seen.has(c);
    const get = (c: string) => row[c] ?? null;
    // Per column: nulls, data type, allowed values.
    for (const c of columns) {
      const value = get(c);
      const s = spec.get(c);
      if (!s) continue;
      if (value === null) {
        if (!s.allowsNulls) report(n, `${c} is null but the column allows no nulls`);
        continue;
      }
      if (s.dataType === 'Date/Time' && !isDateTime(value)) report(n, `${c} "${value}" is not a UTC ISO 8601 date-time (YYYY-MM-DDTHH:mm:ssZ)`);
      if (s.dataType === 'Decimal' && !DECIMAL.test(value)) report(n, `${c} "${value}" is not a plain decimal`);
      if (s.dataType === 'JSON' && !isKeyValueObject(value)) report(n, `${c} is not a JSON key-value object`);
      if (c in ALLOWED && !ALLOWED[c]!.includes(value)) report(n, `${c} "${value}" is not an allowed value`);
      if ((c === 'BillingCurrency' || c === 'PricingCurrency') && !CURRENCY.test(value)) report(n, `${c} "${value}" is not an ISO 4217 code`);
    }
    for (const c of columns) if (c in ALLOWED && get(c) === null && !ALLOWED[c]!.includes(null)) report(n, `${c} is null`);
    const subcategory = get('ServiceSubcategory');
    if (subcategory !== null && get('ServiceCategory') === 'AI and Machine Learning' && !AI_SUBCATEGORIES.includes(subcategory)) {
      report(n, `ServiceSubcategory "${subcategory}" is not a subcategory of AI and Machine Learning`);
    }

    // Periods: start before end, the charge period inside the billing period.
    const t = (c: string) => (get(c) ? Date.parse(get(c)!) : NaN);
    if (!(t('BillingPeriodStart') < t('BillingPeriodEnd'))) report(n, 'BillingPeriodStart is not before BillingPeriodEnd');
    if (!(t('ChargePeriodStart') < t('ChargePeriodEnd'))) report(n, 'ChargePeriodStart is not before ChargePeriodEnd');
    if (t('ChargePeriodStart') < t('BillingPeriodStart') || t('ChargePeriodEnd') > t('BillingPeriodEnd')) {
      report(n, 'the charge period is outside the billing period');
    }

    // Usage that is not a correction: the conditional columns that must then be filled.
    const usage = get('ChargeCategory') === 'Usage' && get('ChargeClass') !== 'Correction';
    const purchase = get('ChargeCategory') === 'Purchase' && get('ChargeClass') !== 'Correction';
    if (usage || purchase) {
      for (const c of ['PricingQuantity', 'PricingUnit', 'ListUnitPrice', 'ContractedUnitPrice', 'SkuId', 'SkuPriceId', 'PricingCategory']) {
        if (has(c) && get(c) === null) report(n, `${c} is null on a ${get('ChargeCategory')} row`);
      }
    }
    if (usage && get('CommitmentDiscountStatus') !== 'Unused') {
      if (has('ConsumedQuantity') && get('ConsumedQuantity') === null) report(n, 'ConsumedQuantity is null on a usage row');
    }
    if (get('ChargeCategory') !== 'Usage' && has('ConsumedQuantity') && get('ConsumedQuantity') !== null) {
      report(n, 'ConsumedQuantity is set on a row that is not usage');
    }
    if (get('ConsumedQuantity') !== null && has('ConsumedUnit') && get('ConsumedUnit') === null) report(n, 'ConsumedUnit is null while ConsumedQuantity is set');
    if (get('SkuId') === null && get('SkuMeter') !== null) report(n, 'SkuMeter is set while SkuId is null');
    if (get('SkuPriceId') === null && get('SkuPriceDetails') !== null) report(n, 'SkuPriceDetails is set while SkuPriceId is null');
    if (get('SkuPriceDetails') !== null) {
      const keys = Object.keys(JSON.parse(get('SkuPriceDetails')!) as object);
      for (const k of keys) if (!k.startsWith('x_')) report(n, `SkuPriceDetails key ${k} is not FOCUS-defined and lacks the x_ prefix`);
    }
    if (get('ResourceId') === null && (get('ResourceName') !== null || get('ResourceType') !== null)) {
      report(n, 'ResourceName or ResourceType is set while ResourceId is null');
    }
    if (has('ResourceType') && get('ResourceId') !== null && get('ResourceType') === null) report(n, 'ResourceType is null while ResourceId is set');
    if (get('SubAccountId') === null && get('SubAccountName') !== null) report(n, 'SubAccountName is set while SubAccountId is null');
    for (const c of ['ListUnitPrice', 'ContractedUnitPrice']) {
      if (get(c)?.startsWith('-')) report(n, `${c} is negative`);
    }
    if (get('ChargeCategory') === 'Tax') {
      for (const c of ['PricingQuantity', 'ListUnitPrice', 'ContractedUnitPrice', 'SkuId', 'SkuPriceId', 'PricingCategory']) {
        if (get(c) !== null) report(n, `${c} is set on a Tax row`);
      }
    }
  });
  return { columns, rows, problems };
}
