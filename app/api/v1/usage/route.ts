import { MAX_BODY_BYTES } from '@/lib/engine/ingest';
import { readJsonBody } from '@/lib/http/json-body';
import { withAuth } from '@/lib/http/route';
import { ingestUsage } from '@/lib/server/ingest-usage';

/** Batch ingest for agents that call providers directly; idempotent per event id. */
export const POST = withAuth('usage.write', async ({ req, ctx }) => {
  const body = await readJsonBody(req, MAX_BODY_BYTES);
  const result = await ingestUsage(ctx, body);
  return Response.json(result);
});
