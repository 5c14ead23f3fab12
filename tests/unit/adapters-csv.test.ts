import { describe, expect, it } from 'vitest';
import { dailyChartRows, hourlyChartRows } from '@/lib/charts/adapters';
import { csvField, toCsv } from '@/lib/http/csv';

describe('chart adapters', () => {
  it('leaves days without rows as gaps, not zeros', () => {
    const rows = dailyChartRows(
      [{ date: '2026-11-27', smallNano: '1500000000', frontierNano: '0', cacheSavedNano: '0', totalNano: '1500000000', requests: 3 }],
      '2026-11-28T10:00:00Z',
      3,
    );
    expect(rows.map((r) => r.date)).toEqual(['2026-11-26', '2026-11-27', '2026-11-28']);
    expect(rows[0]!.small).toBeNull();
    expect(rows[1]!.small).toBe(1.5);
    expect(rows[1]!.frontier).toBe(0);
    expect(rows[2]!.frontier).toBeNull();
  });

  it('lines hours up to the hour in progress', () => {
    const rows = hourlyChartRows([{ hour: '2026-11-28T10:00:00Z', costNano: '2000000000', requests: 4, errors: 0, cacheHits: 1 }], '2026-11-28T10:59:00Z', 2);
    expect(rows).toEqual([
      { hour: '2026-11-28T09:00:00Z', spend: null, requests: null },
      { hour: '2026-11-28T10:00:00Z', spend: 2, requests: 4 },
    ]);
  });
});

describe('csv', () => {
  it('quotes what needs quoting', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField(null)).toBe('');
    expect(toCsv(['a', 'b'], [{ a: 1, b: 'x\ny' }])).toBe('a,b\r\n1,"x\ny"\r\n');
  });

  it('defuses text a spreadsheet would run as a formula, and leaves numbers alone', () => {
    expect(csvField('=HYPERLINK("http://evil.example","x")')).toBe('"\'=HYPERLINK(""http://evil.example"",""x"")"');
    expect(csvField('+cmd|calc')).toBe("'+cmd|calc");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('-2+3')).toBe("'-2+3");
    expect(csvField('\tx')).toBe("'\tx");
    expect(csvField('-0.25')).toBe('-0.25');
    expect(csvField('-12')).toBe('-12');
    expect(csvField(-3)).toBe('-3');
    expect(csvField('gpt-5-mini')).toBe('gpt-5-mini');
    expect(csvField('2026-11-01T00:00:00Z')).toBe('2026-11-01T00:00:00Z');
  });
});
