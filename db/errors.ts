/**
 * What a database error means, read from its codes: PostgreSQL's SQLSTATE or
 * the driver's own code, on the error or anywhere down its `cause` chain
 * (Drizzle wraps the driver's error).
 */

function* codesOf(error: unknown): Generator<string> {
  for (let e: unknown = error; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') yield code;
  }
}

export function hasDbCode(error: unknown, code: string): boolean {
  for (const c of codesOf(error)) if (c === code) return true;
  return false;
}

export const UNIQUE_VIOLATION = '23505';
export const DEADLOCK = '40P01';

/**
 * Errors after which the same statement may well succeed: the connection or
 * the server went away (SQLSTATE class 08, shutdown, too many connections, a
 * network error from the driver) or the transaction lost a conflict.
 */
const TRANSIENT_CODES = new Set(['57P01', '57P02', '57P03', '53300', '40001', DEADLOCK]);
const DRIVER_CONNECTION_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN',
  'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT',
]);

export function isTransientDbError(error: unknown): boolean {
  for (const code of codesOf(error)) {
    if (code.startsWith('08') || TRANSIENT_CODES.has(code) || DRIVER_CONNECTION_CODES.has(code)) return true;
  }
  return false;
}
