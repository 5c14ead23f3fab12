/**
 * What every adapter does around one upstream attempt: one signal for the
 * client's abort and the gateway's timeout, every failure mapped to an
 * UpstreamError of the right kind, and error messages that never carry a
 * credential, a header or the request body.
 */
import type { FetchLike, UpstreamResponse } from './http-transport';
import { SseLineTooLongError } from './sse';
import { UpstreamError, type UpstreamCall } from './types';

export interface Attempt {
  /** Aborts when the client goes away or `timeoutMs` passes. */
  readonly signal: AbortSignal;
  /** Maps anything thrown during the attempt to an UpstreamError (UpstreamErrors pass through). */
  fail(error: unknown): UpstreamError;
  /** The attempt is over (answered, failed or its stream closed): stops its clock and lets go of the client's signal. Idempotent. */
  end(): void;
}

/** setTimeout's ceiling (about 24.8 days). */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * One controller, one timer and one listener per attempt. (`AbortSignal.any`
 * with `AbortSignal.timeout` did the same at about 5% of the gateway's CPU
 * under load: each builds weak references and finalization records.)
 */
export function startAttempt(call: UpstreamCall): Attempt {
  // A NaN, zero or negative timeout fires at once; Infinity waits as long as a timer can.
  const timeoutMs = Number.isNaN(call.timeoutMs) || call.timeoutMs <= 0 ? 0 : Math.min(Math.floor(call.timeoutMs), MAX_TIMER_MS);
  const controller = new AbortController();
  let timedOut = false;
  const onClientGone = () => controller.abort(call.signal.reason);
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
  }, timeoutMs);
  // Like AbortSignal.timeout, the clock alone keeps no process alive.
  timer.unref();
  if (call.signal.aborted) controller.abort(call.signal.reason);
  else call.signal.addEventListener('abort', onClientGone, { once: true });
  return {
    signal: controller.signal,
    fail(error) {
      if (error instanceof UpstreamError) return error;
      if (error instanceof SseLineTooLongError) return new UpstreamError('protocol', error.message, { cause: error });
      // The client's abort wins over a timeout that fired at the same moment.
      if (call.signal.aborted) return new UpstreamError('aborted', 'the client went away before the upstream answered', { cause: error });
      if (timedOut) return new UpstreamError('timeout', `the upstream did not finish within ${timeoutMs} ms`, { cause: error });
      return new UpstreamError('network', `network error talking to the upstream (${networkCode(error)})`, { cause: error });
    },
    end() {
      clearTimeout(timer);
      call.signal.removeEventListener('abort', onClientGone);
    },
  };
}

/** A short, secret-free name for a network failure: undici's cause code (ECONNREFUSED, UND_ERR_SOCKET, ...). */
function networkCode(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause;
  if (cause && typeof cause.code === 'string' && /^[A-Z0-9_]{2,40}$/.test(cause.code)) return cause.code;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[A-Z0-9_]{2,40}$/.test(code)) return code;
  return 'connection failed';
}

const MAX_ERROR_BODY_BYTES = 64 * 1024;
const MAX_MESSAGE_CHARS = 300;

/** Removes every occurrence of the secrets, then trims to one short line. */
export function redact(message: string, secrets: readonly (string | null | undefined)[]): string {
  let out = message;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join('[redacted]');
  }
  out = out.replace(/\s+/g, ' ').trim();
  return out.length > MAX_MESSAGE_CHARS ? `${out.slice(0, MAX_MESSAGE_CHARS - 1)}…` : out;
}

/** The upstream's own error message from a JSON error body: OpenAI, Azure, Anthropic, vLLM and Ollama shapes. */
export function upstreamMessage(body: unknown): string | null {
  if (typeof body !== 'object' || body === null) return null;
  const b = body as { error?: unknown; message?: unknown; detail?: unknown };
  if (typeof b.error === 'string') return b.error;
  if (typeof b.error === 'object' && b.error !== null) {
    const message = (b.error as { message?: unknown }).message;
    if (typeof message === 'string') return message;
  }
  if (typeof b.message === 'string') return b.message;
  if (typeof b.detail === 'string') return b.detail;
  return null;
}

/** Reads at most `MAX_ERROR_BODY_BYTES` of a body; an unreadable body reads as empty. */
async function readBounded(res: UpstreamResponse): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let bytes = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      text += decoder.decode(value, { stream: true });
      if (bytes >= MAX_ERROR_BODY_BYTES) break;
    }
  } catch {
    // A body cut short still yields a status.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return text;
}

/**
 * The error for a non-2xx reply: `<status> <upstream message>`, the message
 * only when the body is JSON that carries one; retryable by its status
 * (`retryableStatus`).
 */
export async function httpError(res: UpstreamResponse, secrets: readonly (string | null | undefined)[]): Promise<UpstreamError> {
  const text = await readBounded(res);
  let message: string | null = null;
  try {
    message = upstreamMessage(JSON.parse(text));
  } catch {
    message = null;
  }
  const status = res.status;
  const detail = message ? redact(message, secrets) : redact(res.statusText || 'upstream error', secrets);
  return new UpstreamError('http', `${status} ${detail}`, { status });
}

/** Reads a whole body as JSON; failure to parse is a protocol error, failure to read goes through `attempt.fail`. */
export async function readJson(res: UpstreamResponse, attempt: Attempt): Promise<unknown> {
  let text: string;
  try {
    text = await res.text();
  } catch (error) {
    throw attempt.fail(error);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UpstreamError('protocol', 'the upstream sent a body that is not JSON', { cause: error });
  }
}

/** POSTs JSON through the attempt's signal; network, abort and timeout failures come back as UpstreamErrors. */
export async function postJson(
  fetchImpl: FetchLike,
  url: string,
  headers: Record<string, string>,
  body: unknown,
  attempt: Attempt,
): Promise<UpstreamResponse> {
  const json = JSON.stringify(body);
  try {
    return await fetchImpl(url, { method: 'POST', headers, body: json, signal: attempt.signal });
  } catch (error) {
    throw attempt.fail(error);
  }
}

/** A promise that resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Resolves never; rejects with the signal's reason when it aborts (an upstream that hangs). */
export function untilAborted(signal: AbortSignal): Promise<never> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((_resolve, reject) => {
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Joins an endpoint path onto a base URL, keeping its query string (Azure's `?api-version=`). */
export function endpoint(baseUrl: string, path: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    // Never echo the URL: it may carry credentials.
    throw new TypeError('the upstream base URL is not an absolute URL');
  }
  const base = url.pathname.replace(/\/+$/, '');
  // A base URL that already names the API version (`.../v1`) or the whole endpoint is accepted as is.
  const rest = path.startsWith('/v1/') && base.endsWith('/v1') ? path.slice(3) : path;
  if (!base.endsWith(rest)) url.pathname = `${base}${rest}`;
  return url.toString();
}
