/** Server-page guard: the same permission matrix the API wrapper enforces. */
import { redirect } from 'next/navigation';
import type { UserActor } from './actor';
import { currentActor } from './current';
import { can, DEPARTMENT_SCOPED, landingPath, type Permission } from './permissions';

/**
 * The signed-in person if they hold `permission` over the whole organisation;
 * department-scoped people are sent to their own landing page instead.
 */
export async function requireOrgPage(permission: Permission): Promise<UserActor> {
  const actor = await currentActor();
  if (!actor) redirect('/sign-in');
  if (!can(actor.role, permission) || DEPARTMENT_SCOPED.has(actor.role)) redirect(landingPath(actor.role, actor.departmentId));
  return actor;
}

/** The signed-in person if they may read `departmentId`; others get the 403 page. */
export async function requireDepartmentPage(departmentId: string): Promise<UserActor> {
  const actor = await currentActor();
  if (!actor) redirect('/sign-in');
  if (!can(actor.role, 'spend.read')) redirect(landingPath(actor.role, actor.departmentId));
  if (DEPARTMENT_SCOPED.has(actor.role) && actor.departmentId !== departmentId) redirect('/forbidden');
  return actor;
}
