import { z } from 'zod';
import { BILLING_FORMATS, BILLING_PROVIDERS } from '@/lib/engine/billing';
import { readJsonBody } from '@/lib/http/json-body';
import { withAuth } from '@/lib/http/route';
import { importBilling } from '@/lib/server/billing-import';

/** Provider exports are paged by the provider (31 days a page at most); 5 MB holds many pages. */
const MAX_BODY_BYTES = 5 * 1024 * 1024;

const body = z
  .object({
    provider: z.enum(BILLING_PROVIDERS),
    format: z.enum(BILLING_FORMATS),
    /** The provider's JSON as its API returned it: one page or an array of pages. */
    data: z.unknown().refine((v) => v !== undefined && v !== null, 'the provider JSON is required'),
  })
  .strict();

/** Imports an OpenAI Costs/Usage API page or an Anthropic cost/usage report (ops only). */
export const POST = withAuth('prices.write', async ({ req, ctx }) => {
  const input = body.parse(await readJsonBody(req, MAX_BODY_BYTES));
  const result = await importBilling({ ctx, input: { provider: input.provider, format: input.format, data: input.data } });
  return Response.json(
    {
      import_id: result.importId,
      lines: result.lines,
      duplicate: result.duplicate,
      inserted: result.inserted,
      replaced: result.replaced,
      has_more: result.hasMore,
      first_day: result.firstDay,
      last_day: result.lastDay,
    },
    { status: result.duplicate ? 200 : 201 },
  );
});
