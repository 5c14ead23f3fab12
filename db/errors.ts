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
 * the server went away (SQLSTATE class 08, shutdown, a network or DNS error
 * from the driver), the server is short of resources (class 53: disk full,
 * out of memory, too many connections) or failing (class 58), a failover
 * left us on a read-only standby (25006), or the transaction lost a conflict
 * (40001, 40P01). Not a statement timeout (57014) or a lock not available
 * (55P03): the same large batch would fail the same way, so it is split by
 * caller instead of being retried whole.
 */
const TRANSIENT_CODES = new Set(['57P01', '57P02', '57P03', '25006', '40001', DEADLOCK]);
const TRANSIENT_CLASSES = ['08', '53', '58'];
const DRIVER_CONNECTION_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND',
  'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT',
]);

export function isTransientDbError(error: unknown): boolean {
  for (const code of codesOf(error)) {
    if (TRANSIENT_CODES.has(code) || DRIVER_CONNECTION_CODES.has(code) || (code.length === 5 && TRANSIENT_CLASSES.includes(code.slice(0, 2)))) return true;
  }
  return false;
}
