import type { DbHandle } from '@/db/client';
import type { Actor } from '@/lib/auth/actor';
import { DEPARTMENT_SCOPED } from '@/lib/auth/permissions';
import { PermissionError } from '@/lib/engine/errors';

/** What every handler and query receives: who, for which organisation, on which database, at what time. */
export interface RequestContext {
  actor: Actor;
  organisationId: string;
  db: DbHandle;
  now: () => Date;
}

/**
 * The department a read is confined to. Managers always get their own; asking
 * for another one is a 403, never a silently empty answer. Others get what
 * they asked for, or null for the whole organisation.
 */
export function departmentScope(ctx: Pick<RequestContext, 'actor'>, requested?: string | null): string | null {
  const { actor } = ctx;
  if (DEPARTMENT_SCOPED.has(actor.role)) {
    if (!actor.departmentId) throw new PermissionError('Your account has no department.');
    if (requested && requested !== actor.departmentId) {
      throw new PermissionError('You can only see your own department.');
    }
    return actor.departmentId;
  }
  return requested || null;
}
