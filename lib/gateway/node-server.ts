/**
 * The thin Node HTTP layer for the hot gateway routes. The production server
 * (scripts/start.ts) asks it first; anything it does not serve goes to
 * Next.js. Same handlers, same engine, same stores as the route handlers:
 * only the framework's per-request cost is skipped (measured in
 * `npm run bench -- gateway`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { checkJsonHeaders, parseJsonBytes, PayloadTooLargeError } from '@/lib/http/json-body';
import { chatCompletions } from './chat-completions';
import { getGateway } from './runtime';
import { NodeSink } from './sink';

class NodeHeaders {
  constructor(private readonly req: IncomingMessage) {}
  get(name: string): string | null {
    const value = this.req.headers[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(', ') : value;
  }
}

/** Reads the body up to the cap; past it the rest is drained unread, so the 413 still reaches the client. */
function readBody(req: IncomingMessage, maxBytes: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > maxBytes) {
        over = true;
        reject(new PayloadTooLargeError(maxBytes));
        return;
      }
      parts.push(chunk);
    });
    req.on('end', () => {
      if (!over) resolve(parts.length === 1 ? parts[0]! : Buffer.concat(parts, size));
    });
    req.on('error', reject);
  });
}

/** Gateway calls being handled, for a shutdown that lets them finish (and hand their rows to the ledger) first. */
let inFlight = 0;
let idleWaiters: (() => void)[] = [];

function callEnded(): void {
  inFlight -= 1;
  if (inFlight > 0) return;
  const waiters = idleWaiters;
  idleWaiters = [];
  for (const wake of waiters) wake();
}

/** Resolves true once no gateway call is being handled, or false when `timeoutMs` passes first. */
export function gatewayIdle(timeoutMs: number): Promise<boolean> {
  if (inFlight === 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    idleWaiters.push(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Serves the request if it is a hot gateway route; false hands it to Next.js. */
export function serveGatewayRoute(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.method !== 'POST' || (req.url !== '/api/v1/chat/completions' && !req.url?.startsWith('/api/v1/chat/completions?'))) return false;
  const startedAt = performance.now();
  const abort = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) abort.abort();
  });
  const headers = new NodeHeaders(req);
  const readJson = async (maxBytes: number) => {
    checkJsonHeaders(headers.get('content-type'), headers.get('content-length'), maxBytes);
    return parseJsonBytes(await readBody(req, maxBytes));
  };
  const sink = new NodeSink(res);
  inFlight += 1;
  getGateway()
    .then((rt) => chatCompletions(rt, { headers, readJson, signal: abort.signal, startedAt }, sink))
    .catch((error: unknown) => {
      console.error('[tollgate] gateway handler failed', error);
      if (!res.headersSent) sink.json(500, {}, { error: { type: 'server_error', message: 'Internal server error.', param: null, code: null } });
      else res.destroy();
    })
    .finally(callEnded);
  return true;
}
