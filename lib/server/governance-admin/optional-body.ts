/**
 * For action routes (approve, reject, revoke, unfreeze) whose JSON body is
 * optional: no body at all reads as `{}`; a body that is there goes through
 * the one JSON reader (content type, size cap, UTF-8 JSON).
 */
import { readJsonBody } from '@/lib/http/json-body';

const MAX_ACTION_BODY_BYTES = 16 * 1024;

export async function readOptionalJsonBody(req: Request): Promise<unknown> {
  if (!req.body || req.headers.get('content-length') === '0') return {};
  return readJsonBody(req, MAX_ACTION_BODY_BYTES);
}
