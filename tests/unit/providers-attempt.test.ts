/**
 * One upstream attempt's signal: the client's abort and the gateway's timeout
 * both abort it and map to their own error kinds; once the attempt has ended,
 * neither touches it any more.
 */
import { describe, expect, it } from 'vitest';
import { startAttempt } from '@/lib/providers/attempt';
import type { ChatRequest } from '@/lib/providers/types';

const request: ChatRequest = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };
const aborted = (signal: AbortSignal) => new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));

describe('startAttempt', () => {
  it('aborts when the timeout passes, and says it timed out', async () => {
    const attempt = startAttempt({ request, signal: new AbortController().signal, timeoutMs: 15 });
    await aborted(attempt.signal);
    expect((attempt.signal.reason as DOMException).name).toBe('TimeoutError');
    const error = attempt.fail(new Error('socket destroyed'));
    expect(error.kind).toBe('timeout');
    expect(error.message).toContain('15 ms');
    attempt.end();
  });

  it('aborts when the client goes away, and the client wins over a timeout', async () => {
    const client = new AbortController();
    const attempt = startAttempt({ request, signal: client.signal, timeoutMs: 60_000 });
    expect(attempt.signal.aborted).toBe(false);
    client.abort();
    expect(attempt.signal.aborted).toBe(true);
    expect(attempt.fail(new Error('aborted')).kind).toBe('aborted');
    attempt.end();
  });

  it('starts aborted when the client has already gone, and a zero timeout fires at once', async () => {
    const client = new AbortController();
    client.abort();
    expect(startAttempt({ request, signal: client.signal, timeoutMs: 60_000 }).signal.aborted).toBe(true);
    const zero = startAttempt({ request, signal: new AbortController().signal, timeoutMs: 0 });
    await aborted(zero.signal);
    expect(zero.fail(new Error('x')).kind).toBe('timeout');
  });

  it('is left alone by the clock and the client once it has ended', async () => {
    const client = new AbortController();
    const attempt = startAttempt({ request, signal: client.signal, timeoutMs: 10 });
    attempt.end();
    attempt.end();
    await new Promise((resolve) => setTimeout(resolve, 40));
    client.abort();
    expect(attempt.signal.aborted).toBe(false);
    expect(attempt.fail(new Error('reset')).kind).toBe('aborted');
  });

  it('maps other failures to network errors without echoing secrets', () => {
    const attempt = startAttempt({ request, signal: new AbortController().signal, timeoutMs: 60_000 });
    const error = attempt.fail(Object.assign(new Error('connect ECONNREFUSED sk-secret'), { code: 'ECONNREFUSED' }));
    expect(error.kind).toBe('network');
    expect(error.message).toBe('network error talking to the upstream (ECONNREFUSED)');
    attempt.end();
  });
});
