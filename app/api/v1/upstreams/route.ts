import { getGateway } from '@/lib/gateway/runtime';
import { readJsonBody } from '@/lib/http/json-body';
import { withAuth } from '@/lib/http/route';
import { listUpstreams, saveUpstream } from '@/lib/server/upstreams-admin';

/** The upstreams the gateway calls; credentials are never returned. Ops only. */
export const GET = withAuth('upstreams.write', async ({ ctx }) => Response.json({ data: await listUpstreams(ctx) }));

/** Creates or replaces an upstream by name. Ops session or ops key. */
export const POST = withAuth('upstreams.write', async ({ req, ctx }) => {
  const result = await saveUpstream(ctx, await readJsonBody(req, 64 * 1024));
  (await getGateway()).invalidate();
  return Response.json(result.upstream, { status: result.created ? 201 : 200 });
});
