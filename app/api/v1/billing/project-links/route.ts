import { z } from 'zod';
import { BILLING_PROVIDERS } from '@/lib/engine/billing';
import { readJsonBody } from '@/lib/http/json-body';
import { idParam } from '@/lib/http/params';
import { withAuth } from '@/lib/http/route';
import { linkProviderProject } from '@/lib/server/billing-project-link';

const body = z
  .object({
    provider: z.enum(BILLING_PROVIDERS),
    /** OpenAI project id (`proj_...`) or Anthropic workspace id (`wrkspc_...`). */
    external_project_id: idParam,
    project_id: idParam,
  })
  .strict();

/** Links a provider project or workspace to a Tollgate project (ops only). */
export const POST = withAuth('prices.write', async ({ req, ctx }) => {
  const input = body.parse(await readJsonBody(req, 64 * 1024));
  const result = await linkProviderProject({
    ctx,
    input: { provider: input.provider, externalProjectId: input.external_project_id, projectId: input.project_id },
  });
  return Response.json({
    provider: result.provider,
    external_project_id: result.externalProjectId,
    project_id: result.projectId,
    previous_project_id: result.previousProjectId,
    lines_updated: result.linesUpdated,
  });
});
