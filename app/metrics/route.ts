import { getGateway } from '@/lib/gateway/runtime';
import { withAuth } from '@/lib/http/route';

/**
 * Prometheus text format: requests, tokens, spend, cache hits, fallbacks and
 * overhead. Ops or CFO session, or an ops key; each reader sees its own
 * organisation's series, and the instance's own gauges.
 */
export const GET = withAuth('telemetry.read', async ({ ctx }) => {
  const rt = await getGateway();
  // Non-zero only while the database is unreachable: the rows wait in memory and go in when it is back.
  rt.metrics.set('tollgate_ledger_pending_rows', 'Gateway ledger rows handed to the writer and not yet committed.', {}, rt.writer.pendingRows);
  return new Response(rt.metrics.render(ctx.organisationId), { headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' } });
});
export const dynamic = 'force-dynamic';
