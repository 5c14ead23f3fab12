/**
 * Child processes for `npm run bench -- gateway`, so the gateway, the mock
 * upstream and the load generator each have their own event loop, as they
 * would in production (one process cannot serve, call upstream and generate
 * load at once without the three queueing behind each other).
 *
 *   node --import tsx bench/gateway-processes.ts upstream
 *   node --import tsx bench/gateway-processes.ts gateway <database url> [--next]
 *   node --import tsx bench/gateway-processes.ts proxy <upstream url>
 *   node --import tsx bench/gateway-processes.ts json-proxy <upstream url>
 *
 * `proxy` is the floor any gateway written on Node's HTTP stack starts from:
 * a pass-through with no logic (read the body, POST it upstream over a
 * kept-alive connection, relay status, headers and body back, streaming
 * included), so the benchmark can say how much of the gateway's added time is
 * the extra hop and how much is Tollgate's own work. `json-proxy` is the
 * least a gateway that reads the call can do: parse the request's JSON, send
 * it on with the gateway's own upstream client (undici, kept-alive), parse
 * the answer and write it back as new JSON (streams are relayed event by
 * event): no key, route, cache, quota or ledger.
 * Each prints `READY <port> [<next port>]` on stdout once it listens; with
 * `--next` the gateway process also serves the app through Next.js. The upstream reads
 * its delay (ms) from lines on stdin.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import readline from 'node:readline';

const reply = 'Claim CLM-10023 is a rear-end collision with minor damage; recommend standard repair settlement.';
const usage = { prompt_tokens: 42, completion_tokens: 19, total_tokens: 61, prompt_tokens_details: { cached_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 } };

function upstream(): void {
  let delayMs = 0;
  readline.createInterface({ input: process.stdin }).on('line', (line) => (delayMs = Number(line) || 0));
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { model: string; stream?: boolean };
      const send = () => {
        if (body.stream) {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          const base = { id: 'chatcmpl-mock', object: 'chat.completion.chunk', created: 1_700_000_000, model: body.model };
          res.write(`data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] })}\n\n`);
          for (const word of reply.split(' ')) res.write(`data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: { content: `${word} ` }, finish_reason: null }] })}\n\n`);
          res.write(`data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`);
          res.write(`data: ${JSON.stringify({ ...base, choices: [], usage })}\n\n`);
          res.end('data: [DONE]\n\n');
          return;
        }
        const text = JSON.stringify({
          id: 'chatcmpl-mock',
          object: 'chat.completion',
          created: 1_700_000_000,
          model: body.model,
          choices: [{ index: 0, message: { role: 'assistant', content: reply }, finish_reason: 'stop' }],
          usage,
        });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        res.end(text);
      };
      if (delayMs > 0) setTimeout(send, delayMs);
      else send();
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => console.log(`READY ${(server.address() as AddressInfo).port}`));
}

async function gateway(databaseUrl: string, withNext: boolean): Promise<void> {
  process.env.TOLLGATE_SIMULATED_UPSTREAMS = 'off';
  const { openDb, setDb } = await import('@/db/client');
  const { serveGatewayRoute } = await import('@/lib/gateway/node-server');
  const { getGateway } = await import('@/lib/gateway/runtime');
  setDb(await openDb({ url: databaseUrl }));
  const rt = await getGateway();
  const server = http.createServer((req, res) => {
    if (!serveGatewayRoute(req, res)) res.writeHead(404).end();
  });
  server.keepAliveTimeout = 60_000;
  let nextPort = 0;
  if (withNext) {
    // The same handler behind Next.js's production server (the route handler), for the framework's share.
    (process.env as Record<string, string>).NODE_ENV = 'production';
    const { default: next } = await import('next');
    const app = next({ dev: false, dir: process.cwd() });
    const handle = app.getRequestHandler();
    await app.prepare();
    const nextServer = http.createServer((req, res) => void handle(req, res));
    nextServer.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => nextServer.listen(0, '127.0.0.1', resolve));
    nextPort = (nextServer.address() as AddressInfo).port;
  }
  server.listen(0, '127.0.0.1', () => console.log(`READY ${(server.address() as AddressInfo).port} ${nextPort}`));
  process.on('SIGTERM', () => {
    void rt.writer.flush().then(() => process.exit(0));
  });
}

function proxy(upstreamUrl: string): void {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const out = http.request(
        `${upstreamUrl}/chat/completions`,
        { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': body.length } },
        (upstreamRes) => {
          res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
          upstreamRes.pipe(res);
        },
      );
      out.on('error', () => res.writeHead(502).end());
      out.end(body);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => console.log(`READY ${(server.address() as AddressInfo).port}`));
}

async function jsonProxy(upstreamUrl: string): Promise<void> {
  const { keptAliveFetch } = await import('@/lib/providers/http-transport');
  const relay = async (bytes: Buffer, res: http.ServerResponse) => {
    const body = JSON.parse(bytes.toString('utf8')) as { model: string; stream?: boolean };
    const upstream = await keptAliveFetch(`${upstreamUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...body, model: 'gpt-5-nano' }),
      signal: new AbortController().signal,
    });
    if (body.stream) {
      res.writeHead(upstream.status, { 'content-type': 'text/event-stream' });
      for await (const chunk of upstream.chunks!()) {
        for (const event of Buffer.from(chunk).toString('utf8').split('\n\n')) if (event) res.write(`${event}\n\n`);
      }
      res.end();
      return;
    }
    const answer = JSON.parse(await upstream.text()) as Record<string, unknown>;
    const text = JSON.stringify({ ...answer, model: body.model });
    res.writeHead(upstream.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => void relay(Buffer.concat(chunks), res).catch(() => res.writeHead(502).end()));
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => console.log(`READY ${(server.address() as AddressInfo).port}`));
}

const [role, arg, option] = process.argv.slice(2);
if (role === 'upstream') upstream();
else if (role === 'proxy') proxy(arg!);
else if (role === 'json-proxy') void jsonProxy(arg!);
else if (role === 'gateway') void gateway(arg!, option === '--next');
else {
  console.error('usage: gateway-processes.ts upstream | proxy <upstream url> | json-proxy <upstream url> | gateway <database url> [--next]');
  process.exit(1);
}
