/**
 * Reads a JSON request body with a size cap. Another content type is a 400; a
 * declared or actual body over the cap is a 413 before it is parsed; a body
 * that is not UTF-8 JSON is a 400.
 */
import { TollgateError, ValidationError } from '@/lib/engine/errors';

export class PayloadTooLargeError extends TollgateError {
  constructor(maxBytes: number) {
    super('invalid_request_error', 413, `The request body is larger than ${formatBytes(maxBytes)}.`, {
      param: null,
      code: 'request_too_large',
    });
  }
}

function formatBytes(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return Number.isInteger(mb) ? `${mb} MB` : `${bytes} bytes`;
}

/** Refuses a request before its body is read: not JSON, or declared larger than the cap. */
export function checkJsonHeaders(contentType: string | null, contentLength: string | null, maxBytes: number): void {
  if (!/^application\/json\b/i.test(contentType ?? '')) {
    throw new ValidationError('Content-Type must be application/json.');
  }
  const declared = Number(contentLength ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) throw new PayloadTooLargeError(maxBytes);
}

/** Collects body chunks up to the cap (413 past it). */
export async function collectBody(chunks: AsyncIterable<Uint8Array>, maxBytes: number, cancel: () => void): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    size += chunk.byteLength;
    if (size > maxBytes) {
      cancel();
      throw new PayloadTooLargeError(maxBytes);
    }
    parts.push(chunk);
  }
  if (parts.length === 1) return parts[0]!;
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.byteLength;
  }
  return bytes;
}

/** Decodes UTF-8 JSON, with a clear error for each way it can be wrong. */
export function parseJsonBytes(bytes: Uint8Array): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ValidationError('The request body is not UTF-8 text.');
  }
  if (text.trim() === '') throw new ValidationError('The request needs a JSON body.');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ValidationError('The request body is not valid JSON.');
  }
}

export async function readJsonBody(req: Request, maxBytes: number): Promise<unknown> {
  checkJsonHeaders(req.headers.get('content-type'), req.headers.get('content-length'), maxBytes);
  if (!req.body) throw new ValidationError('The request needs a JSON body.');
  const body = req.body;
  const reader = body.getReader();
  const chunks: AsyncIterable<Uint8Array> = {
    async *[Symbol.asyncIterator]() {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield value;
      }
    },
  };
  return parseJsonBytes(await collectBody(chunks, maxBytes, () => void reader.cancel().catch(() => {})));
}
