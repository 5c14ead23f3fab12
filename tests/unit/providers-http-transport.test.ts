/**
 * The Node transport against a real local HTTP server: a stream read to its
 * end marker hands its kept-alive connection to the next call; a stream
 * abandoned part-way closes it, so the upstream stops generating.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAiCompatibleAdapter } from '@/lib/providers/openai-compatible';
import type { ChatRequest } from '@/lib/providers/types';

let server: http.Server;
let connections = 0;
let closedMidStream = 0;
let baseUrl = '';

beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const base = { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm' };
      const words = req.url?.includes('slow') ? 50 : 3;
      let sent = 0;
      const tick = () => {
        if (res.destroyed) return;
        if (sent < words) {
          res.write(`data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: { content: `w${sent} ` }, finish_reason: null }] })}\n\n`);
          sent++;
          setTimeout(tick, req.url?.includes('slow') ? 5 : 0);
          return;
        }
        res.write(`data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`);
        res.write(`data: ${JSON.stringify({ ...base, choices: [], usage: { prompt_tokens: 1, completion_tokens: words, total_tokens: words + 1 } })}\n\n`);
        res.end('data: [DONE]\n\n');
      };
      res.on('close', () => {
        if (!res.writableFinished) closedMidStream++;
      });
      tick();
    });
  });
  server.on('connection', () => connections++);
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

// A connection the client opened and has not used yet is not idle to the server: close every one.
afterAll(() => new Promise<void>((resolve) => {
  server.close(() => resolve());
  server.closeAllConnections();
}));

const request = { model: 'm', messages: [{ role: 'user', content: 'hi' }] } as unknown as ChatRequest;

describe('streaming over kept-alive connections', () => {
  it('reuses kept-alive connections for streams read to [DONE]', async () => {
    const adapter = openAiCompatibleAdapter({ baseUrl, apiKey: 'k' });
    const before = connections;
    for (let i = 0; i < 10; i++) {
      const result = await adapter.stream({ request, signal: new AbortController().signal, timeoutMs: 5_000 });
      let text = '';
      for await (const chunk of result.chunks) text += chunk.choices[0]?.delta.content ?? '';
      expect(text).toBe('w0 w1 w2 ');
      expect(result.usage()?.raw).toMatchObject({ completion_tokens: 3 });
    }
    // The body's end is read a tick after [DONE], so a call made at once may open one more connection; never one per call.
    expect(connections - before).toBeLessThanOrEqual(2);
  });

  it('closes the connection of a stream abandoned part-way', async () => {
    const adapter = openAiCompatibleAdapter({ baseUrl: `${baseUrl}/slow`, apiKey: 'k' });
    const before = closedMidStream;
    const result = await adapter.stream({ request, signal: new AbortController().signal, timeoutMs: 5_000 });
    for await (const chunk of result.chunks) {
      expect(chunk.choices[0]?.delta.content).toBe('w0 ');
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closedMidStream - before).toBe(1);
  });
});
