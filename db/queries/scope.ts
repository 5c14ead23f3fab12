import type { DbHandle } from '@/db/client';

/**
 * Every read model takes its scope as an argument: the organisation always,
 * the department when the caller is confined to one (or asked for one). Query
 * code never reads the request.
 */
export interface ReadScope {
  db: DbHandle;
  organisationId: string;
  /** null: the whole organisation. */
  departmentId: string | null;
  now: Date;
}
