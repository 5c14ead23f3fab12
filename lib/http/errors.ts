/**
 * The one error mapper at the HTTP edge. Domain errors keep their type and
 * message; zod errors become invalid_request_error naming the field; anything
 * else is logged and answered with a generic 500 that leaks nothing. A
 * database that cannot be reached is a 503 the caller may retry: Tollgate
 * refuses what it cannot meter rather than let a call through unrecorded.
 */
import { ZodError } from 'zod';
import { isTransientDbError } from '@/db/errors';
import { TollgateError, type ErrorType } from '@/lib/engine/errors';

export interface ErrorBody {
  error: { type: ErrorType | 'server_error'; message: string; param?: string | null; code?: string | null } & Record<
    string,
    unknown
  >;
}

export function jsonError(status: number, type: ErrorBody['error']['type'], message: string, extra: Record<string, unknown> = {}) {
  const body: ErrorBody = { error: { type, message, param: null, code: null, ...extra } };
  return Response.json(body, { status });
}

/** The status and OpenAI-shaped body for any error; unknown errors are logged and answered with a generic 500. */
export function errorResponseBody(error: unknown): { status: number; body: ErrorBody } {
  if (error instanceof TollgateError) {
    return { status: error.status, body: { error: { type: error.type, message: error.message, param: null, code: null, ...error.details } } };
  }
  if (error instanceof ZodError) {
    const issue = error.issues[0];
    const param = issue?.path.join('.') || null;
    const message = issue ? `${param ? `${param}: ` : ''}${issue.message}` : 'Invalid request.';
    return { status: 400, body: { error: { type: 'invalid_request_error', message, param, code: null } } };
  }
  if (isTransientDbError(error)) {
    logOutage(error);
    return {
      status: 503,
      body: { error: { type: 'server_error', message: 'The ledger database is unreachable for the moment; retry shortly.', param: null, code: 'database_unavailable' } },
    };
  }
  console.error('[tollgate] unhandled error', error);
  return { status: 500, body: { error: { type: 'server_error', message: 'Internal server error.', param: null, code: null } } };
}

const OUTAGE_LOG_EVERY_MS = 5_000;
let lastOutageLog = -Infinity;
let outagesSinceLog = 0;

/** One line per few seconds while the database is down, not a stack trace per request. */
function logOutage(error: unknown): void {
  outagesSinceLog += 1;
  const now = performance.now();
  if (now - lastOutageLog < OUTAGE_LOG_EVERY_MS) return;
  const cause = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
  console.error(`[tollgate] database unreachable (${cause}): answered ${outagesSinceLog} request(s) with 503 since the last report`);
  lastOutageLog = now;
  outagesSinceLog = 0;
}

export function errorResponse(error: unknown): Response {
  const { status, body } = errorResponseBody(error);
  return Response.json(body, { status });
}
