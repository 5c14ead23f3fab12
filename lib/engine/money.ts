/**
 * Money is integer nano-dollars (1 USD = 1e9 nano) held in bigint. Binary
 * floating point never touches an amount that is stored or summed; `toUsdNumber`
 * exists only to hand a value to a chart axis.
 */
export const NANO_PER_USD = 1_000_000_000n;
export const TOKENS_PER_MTOK = 1_000_000n;

/** Parses a plain decimal dollar string ("12.5", "-0.000000001") into nano-dollars. */
export function usdToNano(usd: string | number): bigint {
  const text = typeof usd === 'number' ? usdNumberToText(usd) : usd.trim();
  const match = /^(-)?(\d+)(?:\.(\d{1,9}))?$/.exec(text);
  if (!match) throw new RangeError(`not a dollar amount with at most 9 decimals: ${JSON.stringify(usd)}`);
  const [, sign, whole, fraction = ''] = match;
  const nano = BigInt(whole!) * NANO_PER_USD + BigInt(fraction.padEnd(9, '0'));
  return sign ? -nano : nano;
}

/**
 * A JSON number as the shortest plain decimal that reads back as the same
 * number (ECMAScript's own Number-to-String, with any exponent spelled out):
 * 0.075 -> "0.075", 7.5e-8 -> "0.000000075", 1e21 -> "1000000000000000000000".
 * This is the decimal a person wrote in the JSON, never the binary value's
 * full expansion, so parsing it as a decimal is exact.
 */
export function decimalFromNumber(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
  const text = String(value);
  const match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!match) return text;
  const [, sign, lead, rest = '', exponent] = match;
  const digits = lead! + rest;
  const point = 1 + Number(exponent);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

function usdNumberToText(usd: number): string {
  if (!Number.isFinite(usd)) throw new RangeError(`not a finite dollar amount: ${usd}`);
  return usd.toFixed(9).replace(/\.?0+$/, '');
}

const DECIMAL_TEXT = /^(-)?(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/i;
const PLAIN_DECIMAL_TEXT = /^(-)?(\d+)(?:\.(\d+))?$/;

/**
 * A decimal written as text (`"123.4567"`, or with `exponent` also `"1e-7"`)
 * in integer units of 10^-scale, rounded half away from zero; null when the
 * text is not such a decimal. Digit-string arithmetic only: no float is
 * multiplied. Dollars to nano-dollars is scale 9, cents to nano-dollars 7.
 */
export function scaleDecimal(text: string, scale: number, options: { exponent?: boolean } = {}): bigint | null {
  const match = (options.exponent ? DECIMAL_TEXT : PLAIN_DECIMAL_TEXT).exec(text);
  if (!match) return null;
  const [, sign, whole, fraction = '', exponentText = '0'] = match;
  const exponent = Number(exponentText);
  if (!Number.isSafeInteger(exponent) || Math.abs(exponent) > 400) return null;
  const digits = BigInt(whole! + fraction);
  const shift = exponent - fraction.length + scale;
  let units: bigint;
  if (shift >= 0) {
    units = digits * 10n ** BigInt(shift);
  } else {
    const divisor = 10n ** BigInt(-shift);
    units = digits / divisor;
    if ((digits % divisor) * 2n >= divisor) units += 1n;
  }
  return sign ? -units : units;
}

/** Plain decimal dollars with all nine places trimmed of trailing zeros: 1234500000n -> "1.2345". */
export function nanoToUsdString(nano: bigint, minDecimals = 0): string {
  const negative = nano < 0n;
  const abs = negative ? -nano : nano;
  const whole = abs / NANO_PER_USD;
  let fraction = (abs % NANO_PER_USD).toString().padStart(9, '0').replace(/0+$/, '');
  if (fraction.length < minDecimals) fraction = fraction.padEnd(minDecimals, '0');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

/** Divides and rounds half away from zero. */
export function divRound(numerator: bigint, denominator: bigint): bigint {
  if (denominator === 0n) throw new RangeError('division by zero');
  const negative = numerator < 0n !== denominator < 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  const q = (n + d / 2n) / d;
  return negative ? -q : q;
}

/** Rounds nano-dollars to whole cents (half away from zero), still in nano-dollars. */
export function roundToCents(nano: bigint): bigint {
  return divRound(nano, 10_000_000n) * 10_000_000n;
}

/** For chart axes only: an approximate dollar number. */
export function toUsdNumber(nano: bigint | string): number {
  return Number(BigInt(nano)) / 1e9;
}

/** "$1,234.56"; amounts under a cent show two significant figures so they never read as $0.00. */
export function formatUsd(nano: bigint | string, options: { compact?: boolean } = {}): string {
  const value = BigInt(nano);
  const abs = value < 0n ? -value : value;
  const sign = value < 0n ? '-' : '';
  if (options.compact && abs >= 1_000n * NANO_PER_USD) {
    const units: [bigint, string][] = [
      [1_000_000_000n * NANO_PER_USD, 'B'],
      [1_000_000n * NANO_PER_USD, 'M'],
      [1_000n * NANO_PER_USD, 'k'],
    ];
    for (const [size, suffix] of units) {
      if (abs >= size) {
        const tenths = divRound(abs * 10n, size);
        const text = tenths % 10n === 0n ? `${tenths / 10n}` : `${tenths / 10n}.${tenths % 10n}`;
        return `${sign}$${text}${suffix}`;
      }
    }
  }
  if (abs > 0n && abs < 10_000_000n) {
    // Under a cent: two significant figures, rounded ($0.0035, $0.0000005), down to the nano-dollar.
    const step = 10n ** BigInt(Math.max(0, abs.toString().length - 2));
    return `${sign}$${nanoToUsdString(divRound(abs, step) * step, 2)}`;
  }
  const cents = divRound(abs, 10_000_000n);
  const whole = (cents / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}$${whole}.${(cents % 100n).toString().padStart(2, '0')}`;
}

/** Sums nano-dollar amounts given as bigint or decimal strings. */
export function sumNano(values: Iterable<bigint | string>): bigint {
  let total = 0n;
  for (const value of values) total += BigInt(value);
  return total;
}
