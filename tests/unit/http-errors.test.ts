/**
 * The HTTP edge's error mapping: domain errors keep their type, zod errors
 * name the field, an unreachable database is a retryable 503, and anything
 * else is a 500 that leaks nothing.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { ValidationError } from '@/lib/engine/errors';
import { errorResponseBody } from '@/lib/http/errors';

afterEach(() => vi.restoreAllMocks());

describe('errorResponseBody', () => {
  it('keeps a domain error and names the field of a zod error', () => {
    expect(errorResponseBody(new ValidationError('messages must not be empty'))).toMatchObject({ status: 400, body: { error: { type: 'invalid_request_error' } } });
    const zodError = z.object({ model: z.string() }).safeParse({ model: 1 }).error;
    expect(errorResponseBody(zodError)).toMatchObject({ status: 400, body: { error: { type: 'invalid_request_error', param: 'model' } } });
  });

  it('answers an unreachable database with a 503 the client may retry, logged once per few seconds', () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const refused = new Error('Failed query: select 1', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }) });
    const first = errorResponseBody(refused);
    expect(first).toEqual({
      status: 503,
      body: { error: { type: 'server_error', message: 'The ledger database is unreachable for the moment; retry shortly.', param: null, code: 'database_unavailable' } },
    });
    expect(errorResponseBody(Object.assign(new Error('terminating connection'), { code: '57P01' })).status).toBe(503);
    expect(log).toHaveBeenCalledTimes(1);
    expect(String(log.mock.calls[0]![0])).toContain('connect ECONNREFUSED');
  });

  it('answers anything else with a 500 that leaks nothing', () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const { status, body } = errorResponseBody(Object.assign(new Error('duplicate key value violates unique constraint "secret_idx"'), { code: '23505' }));
    expect(status).toBe(500);
    expect(body.error).toEqual({ type: 'server_error', message: 'Internal server error.', param: null, code: null });
  });
});
