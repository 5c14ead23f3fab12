import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { NodeSink, WebSink } from '@/lib/gateway/sink';

const event = (i: number) => `data: ${JSON.stringify({ i, text: 'x'.repeat(1_000) })}\n\n`;

describe('reply sinks under a slow client', () => {
  it('a web reply asks the relay to wait once 64 events are unread, and lets it go when the client reads', async () => {
    const sink = new WebSink(new AbortController().signal);
    sink.startStream({});
    const reader = (await sink.response).body!.getReader();
    let i = 0;
    while (sink.drained() === null) {
      expect(sink.write(event(i))).toBe(true);
      i += 1;
      expect(i).toBeLessThanOrEqual(64);
    }
    expect(i).toBe(64);
    let released = false;
    const wait = sink.drained()!.then(() => (released = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(released).toBe(false);
    await reader.read();
    await wait;
    expect(released).toBe(true);
    await reader.cancel();
    expect(sink.closed).toBe(true);
    expect(sink.drained()).toBeNull();
  });

  it('a Node reply waits for the socket to drain, and gives up waiting when the client goes', async () => {
    let sink: NodeSink | null = null;
    const server = http.createServer((_req, res) => {
      sink = new NodeSink(res);
      sink.startStream({});
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const response = await new Promise<http.IncomingMessage>((resolve) => http.get(`http://127.0.0.1:${port}/`, resolve));
    response.pause();
    const sleep = (ms: number) => new Promise<'pending'>((resolve) => setTimeout(() => resolve('pending'), ms));
    /** Writes until the sink asks to wait and the wait lasts (the kernel's socket buffers are full too). */
    // The wait comes back wrapped: an async function returning a promise would adopt it.
    const fill = async (): Promise<{ wait: Promise<void> }> => {
      for (let i = 0; i < 100_000; i++) {
        sink!.write(event(i));
        const wait = sink!.drained();
        if (wait && (await Promise.race([wait.then(() => 'drained' as const), sleep(50)])) === 'pending') return { wait };
      }
      throw new Error('the socket never filled');
    };
    const { wait: paused } = await fill();
    response.resume();
    await paused;
    // The client reads again: the relay goes on. Then it stops reading and leaves: the wait ends too.
    response.pause();
    const { wait: abandoned } = await fill();
    response.destroy();
    await abandoned;
    expect(sink!.closed).toBe(true);
    server.close();
  });
});

describe('a web reply whose client leaves', () => {
  it('settles the route with a 499 when the client goes before any answer', async () => {
    const client = new AbortController();
    const sink = new WebSink(client.signal);
    client.abort();
    expect((await sink.response).status).toBe(499);
    expect(sink.closed).toBe(true);
  });

  it('keeps a reply already started as it was', async () => {
    const client = new AbortController();
    const sink = new WebSink(client.signal);
    sink.startStream({ 'x-tollgate-model': 'gpt-5' });
    client.abort();
    const response = await sink.response;
    expect(response.status).toBe(200);
    expect(response.headers.get('x-tollgate-model')).toBe('gpt-5');
  });
});
