/**
 * The one wrapper every API route goes through: authenticate (session or API
 * key), check the permission matrix, refuse a cross-site change made with
 * the session cookie, build the request context, map errors.
 */
import { getDb } from '@/db/client';
import { can, type Permission } from '@/lib/auth/permissions';
import { PermissionError, TollgateError } from '@/lib/engine/errors';
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

/** Methods that change nothing, so a cross-site request with them needs no check. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const firstValue = (header: string | null) => header?.split(',')[0]?.trim() || null;

function originOf(url: string): string | null {
  try {
    const { origin } = new URL(url);
    return origin === 'null' ? null : origin;
  } catch {
    return null;
  }
}

/**
 * The origins the browser may see this app at, found as next-auth finds its
 * own URL: NEXTAUTH_URL when set; and the host the request was addressed to
 * (X-Forwarded-Host, else Host) with its protocol (X-Forwarded-Proto, else
 * the request URL's), which is what a proxy in front forwards.
 */
function ownOrigins(req: Request): Set<string> {
  const origins = new Set<string>();
  const configured = process.env.NEXTAUTH_URL ? originOf(process.env.NEXTAUTH_URL) : null;
  if (configured) origins.add(configured);
  const host = firstValue(req.headers.get('x-forwarded-host')) ?? firstValue(req.headers.get('host'));
  const url = new URL(req.url);
  const protocol = firstValue(req.headers.get('x-forwarded-proto'))?.replace(/:$/, '') ?? url.protocol.slice(0, -1);
  const addressed = host ? originOf(`${protocol}://${host}`) : url.origin;
  if (addressed) origins.add(addressed);
  return origins;
}

/**
 * A change made with the session cookie must come from this app's own pages:
 * the Origin header names one of its origins, or, from a browser that sends
 * none, Sec-Fetch-Site says same-origin (or none: typed by the person).
 * Anything else is cross-site request forgery, answered 403. API keys are
 * not sent by browsers on their own, so bearer requests are not checked.
 */
function assertSameOrigin(req: Request): void {
  const origin = req.headers.get('origin');
  if (origin !== null) {
    const normalised = originOf(origin);
    if (normalised && ownOrigins(req).has(normalised)) return;
  } else {
    const site = req.headers.get('sec-fetch-site');
    if (site === 'same-origin' || site === 'none') return;
  }
  throw new TollgateError('permission_error', 403, "Cross-site request refused: a change made with a session cookie must come from Tollgate's own pages.", {
    code: 'cross_site_request',
  });
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
      if (actor.type === 'user' && !SAFE_METHODS.has(req.method.toUpperCase())) assertSameOrigin(req);
      const ctx: RequestContext = { actor, organisationId: actor.organisationId, db, now: () => new Date() };
      const params = ((await route?.params) ?? {}) as P;
      return await handler({ req, ctx, params, url: new URL(req.url) });
    } catch (error) {
      return errorResponse(error);
    }
  };
}
