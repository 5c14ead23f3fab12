/**
 * The one wrapper every API route goes through: authenticate (session or API
 * key), check the permission matrix, build the request context, map errors.
 */
import { getDb } from '@/db/client';
import { can, type Permission } from '@/lib/auth/permissions';
import { PermissionError } from '@/lib/engine/errors';
import { authenticate } from './authenticate';
import type { RequestContext } from './context';
import { errorResponse } from './errors';

type RouteParams = Record<string, string | string[]>;

export interface HandlerInput<P extends RouteParams> {
  req: Request;
  ctx: RequestContext;
  params: P;
  url: URL;
}

export function withAuth<P extends RouteParams = Record<string, never>>(
  permission: Permission,
  handler: (input: HandlerInput<P>) => Promise<Response>,
) {
  return async (req: Request, route?: { params?: Promise<P> }): Promise<Response> => {
    try {
      const db = await getDb();
      const actor = await authenticate(db, req);
      if (!can(actor.role, permission)) throw new PermissionError(`Your role cannot ${permission.replace('.', ' ')}.`);
      const ctx: RequestContext = { actor, organisationId: actor.organisationId, db, now: () => new Date() };
      const params = ((await route?.params) ?? {}) as P;
      return await handler({ req, ctx, params, url: new URL(req.url) });
    } catch (error) {
      return errorResponse(error);
    }
  };
}
