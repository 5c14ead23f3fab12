/**
 * The SSE parser against the WHATWG event-stream rules, fed in every possible
 * split of the bytes (inside CRLF pairs and inside UTF-8 sequences).
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseSse, SSE_DONE, SseParser, sseData, type SseEvent } from '@/lib/providers/sse';

const encoder = new TextEncoder();

function parseAll(chunks: Uint8Array[]): SseEvent[] {
  const parser = new SseParser();
  const events: SseEvent[] = [];
  for (const chunk of chunks) events.push(...parser.push(chunk));
  events.push(...parser.end());
  return events;
}

/** A body delivering `chunks`, then closing (or staying open, like a live upstream, with `close: false`). */
function streamOf(chunks: Uint8Array[], options: { close?: boolean; onCancel?: () => void } = {}): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(chunks[i++]!);
      else if (options.close !== false) controller.close();
    },
    cancel() {
      options.onCancel?.();
    },
  });
}

const STREAM = [
  ': this is a comment\r\n',
  'event: message_start\r\n',
  'data: {"text":"héllo 👋 wörld"}\r\n',
  '\r\n',
  'data: line one\n',
  'data: line two\n',
  '\n',
  'id: 42\r',
  'event: ping\r',
  'data:no space\r',
  '\r',
  'data:  two spaces\n',
  'retry: 1000\n',
  'unknown: field\n',
  '\n',
  'data\n',
  '\n',
  'event: ignored-without-data\n',
  '\n',
  'data: {"last":true}\n',
  '\n',
  'data: never dispatched, no blank line',
].join('');

const EXPECTED: SseEvent[] = [
  { event: 'message_start', data: '{"text":"héllo 👋 wörld"}', id: null },
  { event: 'message', data: 'line one\nline two', id: null },
  { event: 'ping', data: 'no space', id: '42' },
  { event: 'message', data: ' two spaces', id: '42' },
  { event: 'message', data: '', id: '42' },
  { event: 'message', data: '{"last":true}', id: '42' },
];

describe('SseParser', () => {
  it('parses a stream with LF, CRLF and CR line ends, comments, multi-line data, names and ids', () => {
    expect(parseAll([encoder.encode(STREAM)])).toEqual(EXPECTED);
  });

  it('gives the same events for every split of the bytes in two', () => {
    const bytes = encoder.encode(STREAM);
    for (let at = 0; at <= bytes.length; at++) {
      expect(parseAll([bytes.subarray(0, at), bytes.subarray(at)]), `split at byte ${at}`).toEqual(EXPECTED);
    }
  });

  it('gives the same events fed one byte at a time, and in 3- and 7-byte pieces', () => {
    const bytes = encoder.encode(STREAM);
    for (const size of [1, 3, 7]) {
      const pieces: Uint8Array[] = [];
      for (let i = 0; i < bytes.length; i += size) pieces.push(bytes.subarray(i, i + size));
      expect(parseAll(pieces)).toEqual(EXPECTED);
    }
  });

  it('treats a CRLF split across reads as one line end, not two', () => {
    // Were the LF a second line end, it would dispatch `a` early and `b` alone.
    const events = parseAll([encoder.encode('data: a\r'), encoder.encode('\ndata: b\r'), encoder.encode('\n\r\n')]);
    expect(events).toEqual([{ event: 'message', data: 'a\nb', id: null }]);
  });

  it('strips a leading byte order mark', () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...encoder.encode('data: x\n\n')]);
    expect(parseAll([bytes.subarray(0, 2), bytes.subarray(2)])).toEqual([{ event: 'message', data: 'x', id: null }]);
  });

  it('decodes a character split between reads, never a replacement character', () => {
    const bytes = encoder.encode('data: 😀\n\n');
    const events = parseAll([bytes.subarray(0, 8), bytes.subarray(8, 9), bytes.subarray(9)]);
    expect(events).toEqual([{ event: 'message', data: '😀', id: null }]);
  });
});

describe('parseSse', () => {
  it('reads a ReadableStream delivered one byte at a time', async () => {
    const bytes = encoder.encode(STREAM);
    const events: SseEvent[] = [];
    for await (const event of parseSse(streamOf([...bytes].map((b) => new Uint8Array([b]))))) events.push(event);
    expect(events).toEqual(EXPECTED);
  });

  it('cancels the body when the reader stops early', async () => {
    let cancelled = false;
    const body = streamOf([encoder.encode('data: 1\n\ndata: 2\n\ndata: 3\n\n')], { close: false, onCancel: () => (cancelled = true) });
    for await (const event of parseSse(body)) {
      expect(event.data).toBe('1');
      break;
    }
    expect(cancelled).toBe(true);
  });

  it('reads a Node stream directly, one byte at a time', async () => {
    const bytes = encoder.encode(STREAM);
    const events: SseEvent[] = [];
    for await (const event of parseSse(Readable.from([...bytes].map((b) => Buffer.from([b]))))) events.push(event);
    expect(events).toEqual(EXPECTED);
  });

  it('destroys a Node stream when the reader stops early', async () => {
    const body = new Readable({ read() {} });
    body.push(Buffer.from('data: 1\n\ndata: 2\n\n'));
    for await (const event of parseSse(body)) {
      expect(event.data).toBe('1');
      break;
    }
    expect(body.destroyed).toBe(true);
  });
});

describe('encoding', () => {
  it('sseData writes one data line that parses back to the value', () => {
    const value = { text: 'two\nlines and "quotes" 👋', n: 1 };
    const text = sseData(value);
    expect(text).toBe(`data: ${JSON.stringify(value)}\n\n`);
    const [event] = parseAll([encoder.encode(text)]);
    expect(JSON.parse(event!.data)).toEqual(value);
  });

  it('SSE_DONE is OpenAI terminator', () => {
    expect(SSE_DONE).toBe('data: [DONE]\n\n');
    expect(parseAll([encoder.encode(SSE_DONE)])).toEqual([{ event: 'message', data: '[DONE]', id: null }]);
  });
});
