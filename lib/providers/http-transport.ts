/**
 * The adapters' HTTP client: node:http(s) with kept-alive connections per
 * origin, behind the small slice of `fetch` the adapters use. Node's global
 * fetch (undici) added about 0.5 ms at p50 and 6 ms at p99 per call on this
 * machine against http.request on the same connection (see
 * `npm run bench -- gateway`), which is the whole latency budget.
 */
import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';

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

const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 512, keepAliveMsecs: 10_000 });
const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 512, keepAliveMsecs: 10_000 });

class NodeResponse implements UpstreamResponse {
  private webBody: ReadableStream<Uint8Array> | null = null;

  constructor(private readonly res: http.IncomingMessage) {}

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  get status(): number {
    return this.res.statusCode ?? 0;
  }

  get statusText(): string {
    return this.res.statusMessage ?? '';
  }

  readonly headers = {
    get: (name: string): string | null => {
      const value = this.res.headers[name.toLowerCase()];
      if (value === undefined) return null;
      return Array.isArray(value) ? value.join(', ') : value;
    },
  };

  text(): Promise<string> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      this.res.on('data', (chunk: Buffer) => chunks.push(chunk));
      this.res.on('end', () => resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')));
      this.res.on('error', reject);
      this.res.on('aborted', () => reject(new Error('the upstream closed the connection mid-body')));
    });
  }

  get body(): ReadableStream<Uint8Array> {
    this.webBody ??= Readable.toWeb(this.res) as ReadableStream<Uint8Array>;
    return this.webBody;
  }

  chunks(): AsyncIterable<Uint8Array> {
    return this.res.iterator({ destroyOnReturn: false });
  }

  release(finished: boolean): void {
    if (this.res.readableEnded || this.res.destroyed) return;
    if (finished) this.res.resume();
    else this.res.destroy();
  }
}

/** Parsed upstream URLs: an upstream's endpoint is the same string on every call. */
const parsedUrls = new Map<string, URL>();

function parseUrl(url: string): URL {
  let parsed = parsedUrls.get(url);
  if (!parsed) {
    parsed = new URL(url);
    if (parsedUrls.size >= 1_000) parsedUrls.clear();
    parsedUrls.set(url, parsed);
  }
  return parsed;
}

/** POST over a kept-alive connection; aborting the signal destroys the request (and its response). */
export const nodeFetch: FetchLike = (url, init) =>
  new Promise((resolve, reject) => {
    if (init.signal.aborted) {
      reject(init.signal.reason);
      return;
    }
    const target = parseUrl(url);
    const secure = target.protocol === 'https:';
    const req = (secure ? https : http).request(
      target,
      {
        method: init.method,
        agent: secure ? httpsAgent : httpAgent,
        headers: { ...init.headers, 'content-length': String(Buffer.byteLength(init.body)) },
        signal: init.signal,
      },
      (res) => resolve(new NodeResponse(res)),
    );
    req.on('error', reject);
    req.end(init.body);
  });
