/**
 * The one error mapper at the HTTP edge. Domain errors keep their type and
 * message; zod errors become invalid_request_error naming the field; anything
 * else is logged and answered with a generic 500 that leaks nothing.
 */
import { ZodError } from 'zod';
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

export function errorResponse(error: unknown): Response {
  if (error instanceof TollgateError) {
    return jsonError(error.status, error.type, error.message, error.details);
  }
  if (error instanceof ZodError) {
    const issue = error.issues[0];
    const param = issue?.path.join('.') || null;
    const message = issue ? `${param ? `${param}: ` : ''}${issue.message}` : 'Invalid request.';
    return jsonError(400, 'invalid_request_error', message, { param });
  }
  console.error('[tollgate] unhandled error', error);
  return jsonError(500, 'server_error', 'Internal server error.');
}
