/**
 * Exact decimal conversions for provider amounts. Nothing here multiplies a
 * float: a JSON number is first written as its shortest round-trip decimal
 * (ECMAScript's Number::toString, the digits the provider's serializer wrote
 * for any double), then scaled as a string of digits in bigint arithmetic.
 * Digits below one nano-dollar are rounded half away from zero.
 */
import { scaleDecimal } from '../money';
import { BillingFormatError } from './errors';

/** 1 USD = 1e9 nano: dollars have 9 places of nano. */
const DOLLAR_SCALE = 9;
/** 1 cent = 1e7 nano. */
const CENT_SCALE = 7;
/** amount_nano is a Postgres bigint (int64). */
const MAX_NANO = 2n ** 63n - 1n;

function checked(nano: bigint, path: string): bigint {
  if (nano > MAX_NANO || nano < -MAX_NANO) throw new BillingFormatError(path, 'amount is out of range');
  return nano;
}

/** A JSON number of dollars (OpenAI's `amount.value`) to nano-dollars, exactly. */
export function dollarNumberToNano(value: unknown, path: string): bigint {
  if (typeof value !== 'number') throw new BillingFormatError(path, `expected a JSON number of dollars, got ${describeValue(value)}`);
  if (!Number.isFinite(value)) throw new BillingFormatError(path, 'expected a finite number');
  const nano = scaleDecimal(String(value), DOLLAR_SCALE, { exponent: true });
  if (nano === null) throw new BillingFormatError(path, 'expected a decimal number of dollars');
  return checked(nano, path);
}

/** A decimal string of cents (Anthropic's `amount`, "123.4567") to nano-dollars, exactly. */
export function centsStringToNano(value: unknown, path: string): bigint {
  if (typeof value !== 'string') throw new BillingFormatError(path, `expected a decimal string of cents, got ${describeValue(value)}`);
  const nano = scaleDecimal(value.trim(), CENT_SCALE);
  if (nano === null) throw new BillingFormatError(path, `expected a decimal string of cents, got ${JSON.stringify(value.slice(0, 40))}`);
  return checked(nano, path);
}

/** A short description of a JSON value's type, for error messages. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}
