/**
 * Finds the caller: a Bearer API key (looked up by hash, with a short
 * in-process cache) or a next-auth session cookie. The person is re-read from
 * the users table on every request, so a changed role or a disabled account
 * takes effect at once. A personal key (one bound to a user) stops working
 * with its user: the lookup refuses a key whose user is disabled. Keys are
 * cached for KEY_CACHE_TTL_MS (30 s), so a user disabled in the database, or
 * a key revoked on another instance, is refused within 30 s; code that
 * disables a user or revokes a key calls clearApiKeyCache() so this instance
 * refuses it at once (no route disables users today: it is a database edit).
 */
import { and, eq, getTableColumns, isNull, or } from 'drizzle-orm';
import { getToken } from 'next-auth/jwt';
import type { DbHandle } from '@/db/client';
import { apiKeys, users } from '@/db/schema';
import type { Actor } from '@/lib/auth/actor';
import { hashApiKey } from '@/lib/auth/secrets';
import { AuthenticationError } from '@/lib/engine/errors';

const KEY_CACHE_TTL_MS = 30_000;
const keyCache = new Map<string, { actor: Actor | null; expires: number }>();

export async function actorForApiKey(db: DbHandle, key: string, nowMs = Date.now()): Promise<Actor | null> {
  const hash = hashApiKey(key);
  const cached = keyCache.get(hash);
  if (cached && cached.expires > nowMs) return cached.actor;
  // A key bound to a user goes with them: a disabled user's keys authenticate no one.
  const [row] = await db.db
    .select(getTableColumns(apiKeys))
    .from(apiKeys)
    .leftJoin(users, eq(users.id, apiKeys.userId))
    .where(and(eq(apiKeys.hash, hash), isNull(apiKeys.revokedAt), or(isNull(apiKeys.userId), isNull(users.disabledAt))))
    .limit(1);
  const actor: Actor | null = row
    ? {
        type: 'api_key',
        id: row.id,
        name: row.name,
        organisationId: row.organisationId,
        role: row.role,
        departmentId: row.departmentId,
        projectId: row.projectId,
        agent: row.agent,
        userId: row.userId,
      }
    : null;
  if (keyCache.size > 10_000) keyCache.clear();
  keyCache.set(hash, { actor, expires: nowMs + KEY_CACHE_TTL_MS });
  return actor;
}

/** Forget cached key lookups (after a key is revoked or its user disabled, and in tests). */
export function clearApiKeyCache(): void {
  keyCache.clear();
}

/** The Bearer token from the Authorization header: null when there is none, '' when it is malformed. */
export function bearerToken(headers: { get(name: string): string | null }): string | null {
  const header = headers.get('authorization');
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1]! : '';
}

/** Cookies from the header, so any Request works (Next's NextRequest or a plain one). */
export function parseCookies(header: string | null): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    try {
      cookies.set(name, decodeURIComponent(part.slice(eq + 1).trim()));
    } catch {
      // A malformed cookie is ignored, as browsers do.
    }
  }
  return cookies;
}

export async function actorForSession(db: DbHandle, req: Request): Promise<Actor | null> {
  const cookies = parseCookies(req.headers.get('cookie'));
  // Only the session cookie is read: a Bearer header never reaches here (it is an API key).
  const token = await getToken({ req: { cookies, headers: {} } as never, secret: process.env.AUTH_SECRET });
  if (!token?.uid) return null;
  const [user] = await db.db.select().from(users).where(eq(users.id, token.uid)).limit(1);
  if (!user || user.disabledAt) return null;
  return {
    type: 'user',
    id: user.id,
    name: user.name,
    organisationId: user.organisationId,
    role: user.role,
    departmentId: user.departmentId,
    projectId: null,
  };
}

export async function authenticate(db: DbHandle, req: Request): Promise<Actor> {
  const key = bearerToken(req.headers);
  if (key !== null) {
    const actor = key ? await actorForApiKey(db, key) : null;
    if (!actor) throw new AuthenticationError('Incorrect API key provided.');
    return actor;
  }
  const actor = await actorForSession(db, req);
  if (!actor) throw new AuthenticationError('Sign in or send an API key as `Authorization: Bearer <key>`.');
  return actor;
}
