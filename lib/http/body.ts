/** Reads a JSON request body with a size cap; refuses other content types and malformed JSON with a clear 4xx. */
import { TollgateError, ValidationError } from '@/lib/engine/errors';

export class PayloadTooLargeError extends TollgateError {
  constructor(limit: number) {
    super('invalid_request_error', 413, `Request body is larger than ${limit} bytes.`);
  }
}

export async function readJsonBody(req: Request, maxBytes: number): Promise<unknown> {
  const type = req.headers.get('content-type') ?? '';
  if (!/^application\/json\b/i.test(type)) throw new ValidationError('Content-Type must be application/json.');
  const declared = Number(req.headers.get('content-length') ?? 'NaN');
  if (Number.isFinite(declared) && declared > maxBytes) throw new PayloadTooLargeError(maxBytes);
  const reader = req.body?.getReader();
  if (!reader) throw new ValidationError('Request body is empty.');
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new PayloadTooLargeError(maxBytes);
    }
    chunks.push(value);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text.trim()) throw new ValidationError('Request body is empty.');
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError('Request body is not valid JSON.');
  }
}
