import { z } from 'zod';
import { withAuth } from '@/lib/http/route';
import { readOptionalJsonBody } from '@/lib/server/governance-admin/optional-body';
import { unfreezeSchema, unfreezeSession } from '@/lib/server/governance-admin/sessions';
import { SESSION_ID } from '@/lib/server/governance-admin/shared';

const sessionId = z.string().regex(SESSION_ID, 'not a session id');

/** Lets a frozen session call again (ops); body `{ note? }`. A session that is not frozen is a 409. */
export const POST = withAuth<{ id: string }>('sessions.manage', async ({ req, ctx, params }) => {
  const body = unfreezeSchema.parse(await readOptionalJsonBody(req));
  return Response.json(await unfreezeSession(ctx, sessionId.parse(params.id), body));
});
