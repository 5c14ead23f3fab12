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
  console.error('[tollgate] unhandled error', error);
  return { status: 500, body: { error: { type: 'server_error', message: 'Internal server error.', param: null, code: null } } };
}

export function errorResponse(error: unknown): Response {
  const { status, body } = errorResponseBody(error);
  return Response.json(body, { status });
}
