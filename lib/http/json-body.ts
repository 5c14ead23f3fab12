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

export async function readJsonBody(req: Request, maxBytes: number): Promise<unknown> {
  if (!/^application\/json\b/i.test(req.headers.get('content-type') ?? '')) {
    throw new ValidationError('Content-Type must be application/json.');
  }
  const declared = Number(req.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) throw new PayloadTooLargeError(maxBytes);
  if (!req.body) throw new ValidationError('The request needs a JSON body.');

  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new PayloadTooLargeError(maxBytes);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
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
