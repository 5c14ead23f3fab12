import { describe, expect, it } from 'vitest';
import { divRound, formatUsd, nanoToUsdString, roundToCents, sumNano, usdToNano } from '@/lib/engine/money';

describe('usdToNano', () => {
  it('parses plain decimals exactly', () => {
    expect(usdToNano('0.15')).toBe(150_000_000n);
    expect(usdToNano('12')).toBe(12_000_000_000n);
    expect(usdToNano('0.000000001')).toBe(1n);
    expect(usdToNano('-3.5')).toBe(-3_500_000_000n);
    expect(usdToNano(0.0375)).toBe(37_500_000n);
  });

  it('refuses what is not a plain dollar amount', () => {
    for (const bad of ['', '1e3', '1.0000000001', 'abc', '$5', '1,000']) expect(() => usdToNano(bad)).toThrow(RangeError);
    expect(() => usdToNano(Number.NaN)).toThrow(RangeError);
  });
});

describe('nanoToUsdString', () => {
  it('round-trips through usdToNano', () => {
    for (const text of ['0', '1', '0.1', '123.456789012', '-0.5']) expect(nanoToUsdString(usdToNano(text))).toBe(text);
  });

  it('pads to a minimum number of decimals', () => {
    expect(nanoToUsdString(1_500_000_000n, 2)).toBe('1.50');
  });
});

describe('divRound', () => {
  it('rounds half away from zero', () => {
    expect(divRound(5n, 2n)).toBe(3n);
    expect(divRound(-5n, 2n)).toBe(-3n);
    expect(divRound(4n, 3n)).toBe(1n);
    expect(() => divRound(1n, 0n)).toThrow(RangeError);
  });
});

describe('formatUsd', () => {
  it('formats cents with thousands separators', () => {
    expect(formatUsd(1_234_567_890_000n)).toBe('$1,234.57');
    expect(formatUsd('0')).toBe('$0.00');
    expect(formatUsd(-2_500_000_000n)).toBe('-$2.50');
  });

  it('never shows a non-zero sub-cent amount as $0.00', () => {
    expect(formatUsd(3_500_000n)).toBe('$0.0035');
    expect(formatUsd(1n)).toBe('$0.000000001');
    expect(formatUsd(500n)).toBe('$0.0000005');
    expect(formatUsd(-42_449n)).toBe('-$0.000042');
    // Two significant figures, rounded: never truncated towards zero.
    expect(formatUsd(1_234_567n)).toBe('$0.0012');
    expect(formatUsd(9_990_000n)).toBe('$0.01');
    expect(formatUsd(9_999_999n)).toBe('$0.01');
  });

  it('abbreviates large amounts when asked', () => {
    expect(formatUsd(45_600n * 1_000_000_000n, { compact: true })).toBe('$45.6k');
    expect(formatUsd(2_000_000n * 1_000_000_000n, { compact: true })).toBe('$2M');
  });
});

describe('sums', () => {
  it('adds strings and bigints exactly, beyond 2^53', () => {
    const big = 2n ** 60n;
    expect(sumNano([big.toString(), 1n, '2'])).toBe(big + 3n);
    expect(roundToCents(12_345_678n)).toBe(10_000_000n);
  });
});
