import { z } from 'zod';
import { findModel, listPriceVersions } from '@/db/queries/prices';
import { can } from '@/lib/auth/permissions';
import { NotFoundError } from '@/lib/engine/errors';
import { parsePriceVersion } from '@/lib/engine/price-input';
import { readJsonBody } from '@/lib/http/json-body';
import { idParam, parseQuery } from '@/lib/http/params';
import { withAuth } from '@/lib/http/route';
import { addPriceVersion } from '@/lib/server/prices';

const MAX_BODY_BYTES = 16 * 1024;

const query = z.object({ model: idParam.optional(), provider: idParam.optional() }).strict();

/**
 * Price versions. List prices for everyone who may read the catalog (agents
 * included); the organisation's negotiated and amortised prices only for
 * those who may read spend.
 */
export const GET = withAuth('models.read', async ({ ctx, url }) => {
  const q = parseQuery(url, query);
  if (q.model && !(await findModel(ctx.db, q.model))) throw new NotFoundError(`No model ${JSON.stringify(q.model)} in the catalog.`);
  const contracts = can(ctx.actor.role, 'spend.read') ? { organisationId: ctx.organisationId } : 'none';
  const data = await listPriceVersions({ db: ctx.db, contracts, now: ctx.now() }, { modelId: q.model, provider: q.provider });
  return Response.json({ data });
});

/** Adds a price version (ops): a list price, or the organisation's negotiated or amortised price. */
export const POST = withAuth('prices.write', async ({ req, ctx }) => {
  const input = parsePriceVersion(await readJsonBody(req, MAX_BODY_BYTES));
  const actor = { type: ctx.actor.type, id: ctx.actor.id, organisationId: ctx.organisationId };
  const { version, warnings } = await addPriceVersion(ctx.db, actor, input, { now: ctx.now() });
  return Response.json({ ...version, warnings }, { status: 201 });
});
