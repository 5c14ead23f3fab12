/**
 * The upstreams ops configure: POST /api/v1/upstreams creates or replaces
 * one by name, GET lists them. The credential is sealed before it is stored
 * and never returned; each change is in the audit log, in the same
 * transaction, without the secret. An update may keep the stored credential
 * only while it still goes to the same place the same way (kind, base_url,
 * auth_header): otherwise anyone allowed to edit upstreams could point a
 * production key at their own host and read it from the request.
 */
import { randomBytes } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { auditLog, upstreams } from '@/db/schema';
import { CATALOG_MODELS } from '@/lib/engine/catalog';
import { UPSTREAM_AUTH_HEADERS, UPSTREAM_KINDS } from '@/lib/engine/enums';
import { ValidationError } from '@/lib/engine/errors';
import type { RequestContext } from '@/lib/http/context';
import { credentialHint, sealCredential } from './credential-box';

const CATALOG_IDS = new Set(CATALOG_MODELS.map((m) => m.id));

const httpUrl = z
  .string()
  .trim()
  .url()
  .refine((u) => /^https?:\/\//i.test(u), 'must be an http or https URL')
  .transform((u) => u.replace(/\/+$/, '').replace(/\/+\?/, '?'));

export const upstreamInputSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(100).regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, dash and underscore only'),
    kind: z.enum(UPSTREAM_KINDS),
    base_url: httpUrl.optional(),
    auth_header: z.enum(UPSTREAM_AUTH_HEADERS).optional(),
    api_key: z.string().min(1).max(4_096).optional(),
    /** Catalog model id -> the name (or Azure deployment) the upstream knows it by; or a list of catalog ids served under their own names. */
    models: z.union([z.record(z.string(), z.string().trim().min(1).max(200)), z.array(z.string()).min(1)]),
    timeout_ms: z.number().int().min(1_000).max(600_000).optional(),
    enabled: z.boolean().optional(),
  })
  .superRefine((input, ctx) => {
    if (input.kind === 'openai_compatible' && !input.base_url) ctx.addIssue({ code: 'custom', path: ['base_url'], message: 'an OpenAI-compatible upstream needs base_url' });
    if (input.kind === 'anthropic' && !input.api_key) ctx.addIssue({ code: 'custom', path: ['api_key'], message: 'an Anthropic upstream needs api_key' });
  });

/** The fields that decide where, and in which header, the credential is sent. */
const CREDENTIAL_DESTINATION = ['kind', 'base_url', 'auth_header'] as const;

export interface UpstreamView {
  id: string;
  name: string;
  kind: string;
  base_url: string | null;
  auth_header: string;
  credential: string | null;
  models: Record<string, string>;
  timeout_ms: number;
  enabled: boolean;
  updated_at: string;
}

function modelMap(models: Record<string, string> | string[]): Record<string, string> {
  const map: Record<string, string> = Array.isArray(models)
    ? Object.fromEntries(models.map((id) => [id, CATALOG_MODELS.find((m) => m.id === id)?.name ?? id]))
    : models;
  const unknown = Object.keys(map).filter((id) => !CATALOG_IDS.has(id));
  if (unknown.length) {
    throw new ValidationError(`models: unknown catalog model ${unknown.map((u) => JSON.stringify(u)).join(', ')}; expected ids such as ${CATALOG_MODELS[0]!.id}`, { param: 'models' });
  }
  return map;
}

function view(row: typeof upstreams.$inferSelect): UpstreamView {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    base_url: row.baseUrl,
    auth_header: row.authHeader,
    credential: row.credentialHint,
    models: row.models,
    timeout_ms: row.timeoutMs,
    enabled: row.enabled,
    updated_at: row.updatedAt.toISOString(),
  };
}

export async function listUpstreams(ctx: RequestContext): Promise<UpstreamView[]> {
  const rows = await ctx.db.db.select().from(upstreams).where(eq(upstreams.organisationId, ctx.organisationId)).orderBy(upstreams.name);
  return rows.map(view);
}

export async function saveUpstream(ctx: RequestContext, body: unknown): Promise<{ upstream: UpstreamView; created: boolean }> {
  const input = upstreamInputSchema.parse(body);
  const models = modelMap(input.models);
  const now = ctx.now();
  const authHeader = input.auth_header ?? (input.kind === 'anthropic' ? 'x-api-key' : 'authorization');
  return ctx.db.db.transaction(async (tx) => {
    const [existing] = await tx
      .select({ id: upstreams.id, kind: upstreams.kind, baseUrl: upstreams.baseUrl, authHeader: upstreams.authHeader, credentialCiphertext: upstreams.credentialCiphertext })
      .from(upstreams)
      .where(and(eq(upstreams.organisationId, ctx.organisationId), eq(upstreams.name, input.name)))
      .for('update');
    if (existing?.credentialCiphertext && input.api_key === undefined) {
      const before = { kind: existing.kind, base_url: existing.baseUrl, auth_header: existing.authHeader };
      const after = { kind: input.kind, base_url: input.base_url ?? null, auth_header: authHeader };
      const moved = CREDENTIAL_DESTINATION.filter((field) => before[field] !== after[field]);
      if (moved.length) {
        throw new ValidationError(`api_key: changing ${moved.join(', ')} sends the stored credential elsewhere; send api_key again in the same request.`, {
          param: 'api_key',
        });
      }
    }
    const values = {
      kind: input.kind,
      baseUrl: input.base_url ?? null,
      authHeader,
      ...(input.api_key !== undefined ? { credentialCiphertext: sealCredential(input.api_key), credentialHint: credentialHint(input.api_key) } : {}),
      models,
      timeoutMs: input.timeout_ms ?? 60_000,
      enabled: input.enabled ?? true,
      updatedAt: now,
    };
    const [row] = existing
      ? await tx.update(upstreams).set(values).where(eq(upstreams.id, existing.id)).returning()
      : await tx
          .insert(upstreams)
          .values({ id: `ups_${randomBytes(8).toString('hex')}`, organisationId: ctx.organisationId, name: input.name, createdAt: now, createdBy: `${ctx.actor.type}:${ctx.actor.id}`, ...values })
          .returning();
    await tx.insert(auditLog).values({
      organisationId: ctx.organisationId,
      at: sql`now()`,
      actorType: ctx.actor.type,
      actorId: ctx.actor.id,
      action: existing ? 'upstream.update' : 'upstream.create',
      targetType: 'upstream',
      targetId: row!.id,
      details: { name: input.name, kind: input.kind, base_url: input.base_url ?? null, models, credential_changed: input.api_key !== undefined },
    });
    return { upstream: view(row!), created: !existing };
  });
}
