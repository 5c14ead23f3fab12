/**
 * What the governance admin verbs share: the audit row written in the
 * caller's transaction, ids, exact money inputs, and the scope check that
 * every budget and policy goes through (the id must exist in this
 * organisation, and a department-confined caller may only govern its own).
 */
import { randomBytes } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '@/db/client';
import { apiKeys, auditLog, departments, projects, users } from '@/db/schema';
import type { Actor } from '@/lib/auth/actor';
import { BUDGET_SCOPES, type ActorType, type BudgetScope } from '@/lib/engine/enums';
import { PermissionError, TollgateError, ValidationError } from '@/lib/engine/errors';
import { decimalFromNumber, nanoToUsdString, usdToNano } from '@/lib/engine/money';
import { departmentScope } from '@/lib/http/context';

export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
/** A database or an open transaction: audit rows go wherever the change goes. */
export type Executor = Db | Tx;

/** 409: the row is not in a state this change applies to; nothing was written. */
export class ConflictError extends TollgateError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('invalid_request_error', 409, message, { code: 'conflict', ...details });
  }
}

export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(8).toString('hex')}`;
}

/** Who an audit row names: a person, an API key, or Tollgate itself (`system:<part>`). */
export interface AuditActor {
  type: ActorType;
  id: string;
}

export const actorOf = (actor: Pick<Actor, 'type' | 'id'>): AuditActor => ({ type: actor.type, id: actor.id });

export async function writeAudit(
  exec: Executor,
  entry: { organisationId: string; actor: AuditActor; action: string; targetType: string; targetId: string | null; details: Record<string, unknown> },
): Promise<void> {
  await exec.insert(auditLog).values({
    organisationId: entry.organisationId,
    at: sql`now()`,
    actorType: entry.actor.type,
    actorId: entry.actor.id,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId,
    details: entry.details,
  });
}

/** Ids as the gateway's headers accept them (`x-tollgate-session`): 1-128 of letters, digits and . _ : @ / - */
export const SESSION_ID = /^[A-Za-z0-9._:@/-]{1,128}$/;
export const idString = z.string().trim().min(1).max(200);
export const sessionIdString = z.string().regex(SESSION_ID, 'must be 1-128 characters of letters, digits and . _ : @ / -');

/** The most a USD amount may be: bigint nano-dollars stay far below 2^63. */
const MAX_USD_NANO = 1_000_000_000n * 1_000_000_000n;

/**
 * A positive USD amount, a decimal string ("12.50") or a JSON number, parsed
 * exactly into nano-dollars (never through a float's binary value); at most
 * nine decimals.
 */
export const usdAmount = z.union([z.string().trim(), z.number()]).transform((value, ctx): bigint => {
  let nano: bigint;
  try {
    nano = usdToNano(typeof value === 'number' ? decimalFromNumber(value) : value);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be a USD amount such as "12.50" (at most 9 decimals)' });
    return z.NEVER;
  }
  if (nano <= 0n) {
    ctx.addIssue({ code: 'custom', message: 'must be greater than zero' });
    return z.NEVER;
  }
  if (nano > MAX_USD_NANO) {
    ctx.addIssue({ code: 'custom', message: 'is larger than Tollgate accepts (1,000,000,000 USD)' });
    return z.NEVER;
  }
  return nano;
});

/** A positive whole count (tokens, requests), as a JSON integer or a digit string. */
export const positiveCount = z.union([z.string().trim(), z.number()]).transform((value, ctx): bigint => {
  const text = typeof value === 'number' ? (Number.isSafeInteger(value) ? String(value) : '') : value;
  if (!/^\d{1,16}$/.test(text) || BigInt(text) <= 0n) {
    ctx.addIssue({ code: 'custom', message: 'must be a whole number greater than zero (at most 16 digits)' });
    return z.NEVER;
  }
  return BigInt(text);
});

export const usd = (nano: bigint | null): string | null => (nano === null ? null : nanoToUsdString(nano));

export const scopeSchema = z.strictObject({
  type: z.enum(BUDGET_SCOPES),
  /** Omitted (or the organisation's own id) for the organisation scope. */
  id: idString.optional(),
});
export type ScopeInput = z.infer<typeof scopeSchema>;

export interface ResolvedScope {
  scopeType: BudgetScope;
  /** Null for the organisation. */
  scopeId: string | null;
  /** The department the scope belongs to; null for the organisation and for sessions. */
  departmentId: string | null;
}

/** Checks that the scope names something in this organisation (400 otherwise) and says which department it belongs to. */
export async function resolveScope(exec: Executor, organisationId: string, scope: ScopeInput, param = 'scope'): Promise<ResolvedScope> {
  const id = scope.id;
  if (scope.type === 'organisation') {
    if (id !== undefined && id !== organisationId) throw new ValidationError(`${param}.id: an organisation scope takes no id (or this organisation's own).`, { param: `${param}.id` });
    return { scopeType: 'organisation', scopeId: null, departmentId: null };
  }
  if (id === undefined) throw new ValidationError(`${param}.id: a ${scope.type} scope needs an id.`, { param: `${param}.id` });
  const unknown = () => new ValidationError(`${param}.id: no ${scope.type.replace('_', ' ')} ${JSON.stringify(id)} in this organisation.`, { param: `${param}.id` });
  switch (scope.type) {
    case 'department': {
      const [row] = await exec.select({ id: departments.id }).from(departments).where(and(eq(departments.organisationId, organisationId), eq(departments.id, id))).limit(1);
      if (!row) throw unknown();
      return { scopeType: 'department', scopeId: id, departmentId: id };
    }
    case 'project': {
      const [row] = await exec.select({ departmentId: projects.departmentId }).from(projects).where(and(eq(projects.organisationId, organisationId), eq(projects.id, id))).limit(1);
      if (!row) throw unknown();
      return { scopeType: 'project', scopeId: id, departmentId: row.departmentId };
    }
    case 'user': {
      const [row] = await exec.select({ departmentId: users.departmentId }).from(users).where(and(eq(users.organisationId, organisationId), eq(users.id, id))).limit(1);
      if (!row) throw unknown();
      return { scopeType: 'user', scopeId: id, departmentId: row.departmentId };
    }
    case 'api_key': {
      const [row] = await exec
        .select({ departmentId: apiKeys.departmentId, revokedAt: apiKeys.revokedAt })
        .from(apiKeys)
        .where(and(eq(apiKeys.organisationId, organisationId), eq(apiKeys.id, id)))
        .limit(1);
      if (!row) throw unknown();
      if (row.revokedAt) throw new ValidationError(`${param}.id: API key ${JSON.stringify(id)} is revoked.`, { param: `${param}.id` });
      return { scopeType: 'api_key', scopeId: id, departmentId: row.departmentId };
    }
    case 'session': {
      if (!SESSION_ID.test(id)) throw new ValidationError(`${param}.id: a session id is 1-128 characters of letters, digits and . _ : @ / -`, { param: `${param}.id` });
      return { scopeType: 'session', scopeId: id, departmentId: null };
    }
  }
}

/**
 * A caller confined to one department (a manager) may only govern that
 * department and what belongs to it; org-wide roles (CFO, ops) govern all.
 */
export function assertCanGovern(ctx: { actor: Actor }, scope: ResolvedScope): void {
  const confined = departmentScope(ctx);
  if (confined && scope.departmentId !== confined) throw new PermissionError('You can only govern your own department.');
}
