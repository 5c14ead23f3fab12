/**
 * The adapters' HTTP client: undici's dispatcher API (`Agent.request`, not
 * its `fetch`) with kept-alive connections per origin, behind the small slice
 * of `fetch` the adapters use. Node's global fetch added about 0.5 ms at p50
 * and 6 ms at p99 per call against node:http on the same connection, and
 * node:http's client itself cost about twice undici's CPU per request (166-177
 * against 71-80 us at 64 concurrent calls, same process, same server); under
 * load that CPU is the gateway's throughput (see `npm run bench -- gateway`).
 */
import http from 'node:http';
import { Readable } from 'node:stream';
import { Agent, type Dispatcher } from 'undici';

export interface UpstreamResponse {
  readonly ok: boolean;
  readonly status: number;
  readonly statusText: string;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
  /** The body as a web stream (for SSE); read `text()`, `body` or `chunks()`, only one. */
  readonly body: ReadableStream<Uint8Array> | null;
  /**
   * The body as the transport's own byte chunks, where it has them: cheaper
   * than `body` for SSE. Leaving the loop early does not close the body:
   * the reader must call `release`.
   */
  chunks?(): AsyncIterable<Uint8Array>;
  /**
   * Done with `chunks()`: `finished` (the stream's own end marker was read)
   * drains what is left so the kept-alive connection serves the next call;
   * otherwise the body is destroyed, which closes the connection and stops
   * the upstream generating (and billing) more.
   */
  release?(finished: boolean): void;
}

export type FetchLike = (
  url: string,
  init: { method: 'POST'; headers: Record<string, string>; body: string; signal: AbortSignal },
) => Promise<UpstreamResponse>;

/**
 * One dispatcher for every upstream: a pool of kept-alive connections per
 * origin. undici's own header and body timeouts (300 s each) are off: the
 * attempt's timeout, set per upstream by ops, is the only clock, as it was on
 * node:http (a reasoning model may think longer than 300 s before its first byte).
 */
const dispatcher = new Agent({ connections: 512, keepAliveTimeout: 10_000, keepAliveMaxTimeout: 60_000, pipelining: 1, headersTimeout: 0, bodyTimeout: 0 });

const ignoreBodyError = () => undefined;

class UndiciResponse implements UpstreamResponse {
  private webBody: ReadableStream<Uint8Array> | null = null;

  constructor(private readonly res: Dispatcher.ResponseData) {
    // undici's body emits an error when it is destroyed unread (`release(false)`) or its connection
    // drops. Whoever reads the body sees that error through its own reader; with nobody reading, it
    // must not become an uncaught exception.
    res.body.on('error', ignoreBodyError);
  }

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  get status(): number {
    return this.res.statusCode;
  }

  /** HTTP/1.1 reason phrases are not kept by undici; the standard one for the status stands in. */
  get statusText(): string {
    return http.STATUS_CODES[this.res.statusCode] ?? '';
  }

  readonly headers = {
    get: (name: string): string | null => {
      const value = this.res.headers[name.toLowerCase()];
      if (value === undefined) return null;
      return Array.isArray(value) ? value.join(', ') : value;
    },
  };

  text(): Promise<string> {
    return this.res.body.text();
  }

  get body(): ReadableStream<Uint8Array> {
    this.webBody ??= Readable.toWeb(this.res.body) as ReadableStream<Uint8Array>;
    return this.webBody;
  }

  chunks(): AsyncIterable<Uint8Array> {
    return this.res.body.iterator({ destroyOnReturn: false });
  }

  release(finished: boolean): void {
    const body = this.res.body;
    if (body.readableEnded || body.destroyed) return;
    if (finished) body.resume();
    else body.destroy();
  }
}

/** Parsed upstream URLs: an upstream's endpoint is the same string on every call. */
const parsedUrls = new Map<string, { origin: string; path: string }>();

function parseUrl(url: string): { origin: string; path: string } {
  let parsed = parsedUrls.get(url);
  if (!parsed) {
    const u = new URL(url);
    parsed = { origin: u.origin, path: `${u.pathname}${u.search}` };
    if (parsedUrls.size >= 1_000) parsedUrls.clear();
    parsedUrls.set(url, parsed);
  }
  return parsed;
}

/** POST over a kept-alive connection; aborting the signal destroys the request (and its response). */
export const keptAliveFetch: FetchLike = async (url, init) => {
  if (init.signal.aborted) throw init.signal.reason;
  const { origin, path } = parseUrl(url);
  const res = await dispatcher.request({ origin, path, method: init.method, headers: init.headers, body: init.body, signal: init.signal });
  return new UndiciResponse(res);
};
