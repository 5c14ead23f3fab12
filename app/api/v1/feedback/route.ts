import { getGateway } from '@/lib/gateway/runtime';
import { readJsonBody } from '@/lib/http/json-body';
import { withAuth } from '@/lib/http/route';
import { recordFeedback } from '@/lib/server/feedback';

/** A call's answer was good, wrong or corrected by a person: feeds the router's quality estimates. */
export const POST = withAuth('feedback.write', async ({ req, ctx }) => {
  const body = await readJsonBody(req, 64 * 1024);
  const rt = await getGateway();
  const result = await recordFeedback(ctx, body, (signal) => rt.observeQuality(signal, true));
  return Response.json(result, { status: result.duplicate ? 200 : 201 });
});
