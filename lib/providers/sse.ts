/**
 * Server-sent events, both ways.
 *
 * `SseParser` follows the WHATWG event-stream rules: lines end in LF, CRLF or
 * a lone CR (a CRLF split across two reads is still one line end); `:` lines
 * are comments; `data:` lines of one event are joined with `\n`; one space
 * after the colon is dropped; an event is dispatched on a blank line and only
 * if it has data; an unterminated event at the end of the stream is
 * discarded. Bytes are decoded as a UTF-8 stream, so a read may end anywhere,
 * inside a line or inside a multi-byte character.
 */

export interface SseEvent {
  /** The `event:` name, `message` when none was given. */
  event: string;
  data: string;
  /** The last `id:` seen on the stream, if any. */
  id: string | null;
}

/** A line longer than this without a line end is not an event stream. */
const MAX_LINE_CHARS = 16 * 1024 * 1024;

export class SseLineTooLongError extends Error {
  constructor() {
    super(`event stream line longer than ${MAX_LINE_CHARS} characters`);
    this.name = 'SseLineTooLongError';
  }
}

export class SseParser {
  private readonly decoder = new TextDecoder('utf-8');
  private buffer = '';
  /** The previous read ended in CR: a LF starting the next one belongs to it. */
  private skipLeadingLf = false;
  private data = '';
  private hasData = false;
  private eventType = '';
  private lastId: string | null = null;

  /** Feeds raw bytes; returns the events they complete. */
  push(bytes: Uint8Array): SseEvent[] {
    return this.pushText(this.decoder.decode(bytes, { stream: true }));
  }

  /** Feeds decoded text (for callers that already hold strings). */
  pushText(text: string): SseEvent[] {
    if (this.skipLeadingLf && text.length > 0) {
      if (text.charCodeAt(0) === 10) text = text.slice(1);
      this.skipLeadingLf = false;
    }
    const events: SseEvent[] = [];
    const buffer = this.buffer + text;
    let start = 0;
    // Only the new text can hold a line end: the old buffer had none.
    for (let i = this.buffer.length; i < buffer.length; i++) {
      const c = buffer.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      this.line(buffer.slice(start, i), events);
      if (c === 13) {
        if (i + 1 < buffer.length) {
          if (buffer.charCodeAt(i + 1) === 10) i++;
        } else {
          this.skipLeadingLf = true;
        }
      }
      start = i + 1;
    }
    this.buffer = buffer.slice(start);
    if (this.buffer.length > MAX_LINE_CHARS) throw new SseLineTooLongError();
    return events;
  }

  /** Ends the stream: flushes the decoder; an event without its blank line is dropped, as the spec says. */
  end(): SseEvent[] {
    const events = this.pushText(this.decoder.decode());
    this.buffer = '';
    this.data = '';
    this.hasData = false;
    this.eventType = '';
    return events;
  }

  private line(line: string, events: SseEvent[]): void {
    if (line === '') {
      if (this.hasData) events.push({ event: this.eventType || 'message', data: this.data, id: this.lastId });
      this.data = '';
      this.hasData = false;
      this.eventType = '';
      return;
    }
    if (line.charCodeAt(0) === 58 /* : */) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    switch (field) {
      case 'data':
        this.data = this.hasData ? `${this.data}\n${value}` : value;
        this.hasData = true;
        break;
      case 'event':
        this.eventType = value;
        break;
      case 'id':
        if (!value.includes('\0')) this.lastId = value;
        break;
      default:
      // `retry` and unknown fields are ignored.
    }
  }
}

/**
 * The events of a response body, as they complete: a web stream, or any
 * async iterable of bytes (a Node response, which skips the web-stream
 * wrapper and its promise per read). Stopping early (break, return, throw)
 * cancels a web stream; an iterable's own iterator decides.
 */
export async function* parseSse(body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>): AsyncGenerator<SseEvent, void, undefined> {
  const parser = new SseParser();
  if (!(body instanceof ReadableStream)) {
    // Leaving early returns the iterator; what that does to the source is the source's business (see `UpstreamResponse.release`).
    for await (const chunk of body) for (const event of parser.push(chunk)) yield event;
    for (const event of parser.end()) yield event;
    return;
  }
  const reader = body.getReader();
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      for (const event of parser.push(value)) yield event;
    }
    finished = true;
    for (const event of parser.end()) yield event;
  } finally {
    if (finished) reader.releaseLock();
    else await reader.cancel().catch(() => undefined);
  }
}

/** One SSE event carrying `value` as JSON. JSON never holds a raw line break, so one `data:` line suffices. */
export function sseData(value: unknown): string {
  return `data: ${JSON.stringify(value)}\n\n`;
}

/** OpenAI's end-of-stream marker. */
export const SSE_DONE = 'data: [DONE]\n\n';
