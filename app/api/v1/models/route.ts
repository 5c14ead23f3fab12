import { listModels } from '@/lib/gateway/models';
import { getGateway } from '@/lib/gateway/runtime';
import { withAuth } from '@/lib/http/route';

/** OpenAI-compatible list of the models the caller can be routed to, `auto` first. */
export const GET = withAuth('models.read', async ({ ctx }) => {
  return Response.json(await listModels(await getGateway(), ctx.actor));
});
