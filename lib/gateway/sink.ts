/**
 * Where a gateway handler writes its reply: a Node `ServerResponse` (the thin
 * layer in the production server) or a web `Response` (Next.js route
 * handlers). Handlers are written once against this interface.
 */
import type { ServerResponse } from 'node:http';

export type ReplyHeaders = Record<string, string>;

export interface ReplySink {
  /** A complete JSON reply. */
  json(status: number, headers: ReplyHeaders, body: unknown): void;
  /** A plain-text reply (metrics). */
  text(status: number, headers: ReplyHeaders, body: string): void;
  /** Starts a server-sent-events reply. */
  startStream(headers: ReplyHeaders): void;
  /** Writes SSE text; false once the client is gone. */
  write(chunk: string): boolean;
  /**
   * Backpressure: null while the client keeps up, else a promise that
   * settles once it has taken what was written (or has gone). A relay waits
   * on it before reading more from the upstream, so a slow client does not
   * make the reply pile up in memory.
   */
  drained(): Promise<void> | null;
  /** Cuts the client off (one that stopped reading); `closed` is true after. */
  abandon(): void;
  end(): void;
  /** Whether the client has gone away. */
  readonly closed: boolean;
}

const SSE_HEADERS: ReplyHeaders = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
};

export class NodeSink implements ReplySink {
  private corked = false;

  constructor(private readonly res: ServerResponse) {}

  /**
   * Holds the socket's writes until the end of this tick: the headers and the
   * SSE events relayed from one upstream read leave in one system call, not
   * one each.
   */
  private batch(): void {
    if (this.corked) return;
    this.corked = true;
    this.res.cork();
    process.nextTick(() => {
      this.corked = false;
      this.res.uncork();
    });
  }

  get closed(): boolean {
    return this.res.destroyed || this.res.writableEnded;
  }

  json(status: number, headers: ReplyHeaders, body: unknown): void {
    const text = JSON.stringify(body);
    this.res.writeHead(status, { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    this.res.end(text);
  }

  text(status: number, headers: ReplyHeaders, body: string): void {
    this.res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers, 'content-length': Buffer.byteLength(body) });
    this.res.end(body);
  }

  startStream(headers: ReplyHeaders): void {
    this.batch();
    this.res.writeHead(200, { ...headers, ...SSE_HEADERS });
    this.res.flushHeaders();
  }

  write(chunk: string): boolean {
    if (this.closed) return false;
    this.batch();
    this.res.write(chunk);
    return true;
  }

  abandon(): void {
    this.res.destroy();
  }

  drained(): Promise<void> | null {
    if (this.closed || !this.res.writableNeedDrain) return null;
    return new Promise((resolve) => {
      const done = () => {
        this.res.off('drain', done);
        this.res.off('close', done);
        resolve();
      };
      this.res.on('drain', done);
      this.res.on('close', done);
    });
  }

  end(): void {
    if (!this.res.writableEnded) this.res.end();
  }
}

/** SSE events a web reply holds for a slow client before the relay waits for it. */
const WEB_STREAM_HIGH_WATER = 64;

/**
 * A sink that becomes a web `Response` as soon as the handler starts its
 * reply; a stream keeps flowing into the Response body after that.
 */
export class WebSink implements ReplySink {
  readonly response: Promise<Response>;
  private resolve!: (response: Response) => void;
  private controller: ReadableStreamDefaultController<Uint8Array> | null = null;
  private gone = false;
  /** Settles a relay waiting for the client to read (`drained`). */
  private wake: (() => void) | null = null;
  private readonly encoder = new TextEncoder();

  constructor(private readonly signal: AbortSignal) {
    this.response = new Promise((resolve) => (this.resolve = resolve));
    signal.addEventListener(
      'abort',
      () => {
        this.gone = true;
        this.wakeUp();
        // A client gone before any answer: the route's promise still settles (nobody reads this; a started reply stays as it was).
        this.resolve(new Response(null, { status: 499 }));
      },
      { once: true },
    );
  }

  private wakeUp(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  get closed(): boolean {
    return this.gone || this.signal.aborted;
  }

  json(status: number, headers: ReplyHeaders, body: unknown): void {
    this.resolve(Response.json(body, { status, headers }));
  }

  text(status: number, headers: ReplyHeaders, body: string): void {
    this.resolve(new Response(body, { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...headers } }));
  }

  startStream(headers: ReplyHeaders): void {
    const body = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.controller = controller;
        },
        pull: () => this.wakeUp(),
        cancel: () => {
          this.gone = true;
          this.wakeUp();
        },
      },
      new CountQueuingStrategy({ highWaterMark: WEB_STREAM_HIGH_WATER }),
    );
    this.resolve(new Response(body, { status: 200, headers: { ...headers, ...SSE_HEADERS } }));
  }

  write(chunk: string): boolean {
    if (this.closed || !this.controller) return false;
    try {
      this.controller.enqueue(this.encoder.encode(chunk));
      return true;
    } catch {
      this.gone = true;
      return false;
    }
  }

  abandon(): void {
    this.gone = true;
    try {
      this.controller?.error(new Error('the client stopped reading'));
    } catch {
      // Already closed.
    }
    this.wakeUp();
  }

  drained(): Promise<void> | null {
    if (this.closed || !this.controller || (this.controller.desiredSize ?? 1) > 0) return null;
    return new Promise((resolve) => {
      const previous = this.wake;
      this.wake = () => {
        previous?.();
        resolve();
      };
    });
  }

  end(): void {
    try {
      this.controller?.close();
    } catch {
      // Already closed by the client.
    }
  }
}
