/**
 * Which scope a budget or policy covers, matched against where a call is
 * charged. One rule for budgets and approval gates alike:
 *
 * - `organisation` covers every call of its organisation (scope id null, or
 *   the organisation's own id);
 * - `department`, `project`, `user`, `api_key` and `session` cover a call
 *   whose attribution carries that same id; a call without that id (no
 *   project, no session header) is never covered by such a scope.
 */
import type { BudgetScope } from '../enums';
import type { CallAttribution } from './types';

export function scopeCovers(scopeType: BudgetScope, scopeId: string | null, attribution: CallAttribution): boolean {
  switch (scopeType) {
    case 'organisation':
      return scopeId === null || scopeId === attribution.organisationId;
    case 'department':
      return scopeId !== null && scopeId === attribution.departmentId;
    case 'project':
      return scopeId !== null && scopeId === attribution.projectId;
    case 'user':
      return scopeId !== null && scopeId === attribution.userId;
    case 'api_key':
      return scopeId !== null && scopeId === attribution.apiKeyId;
    case 'session':
      return scopeId !== null && scopeId === attribution.sessionId;
  }
}

/**
 * How narrow a scope is, widest (organisation, 0) to narrowest (session, 5):
 * the tie-break when two budgets or policies are otherwise equal.
 */
export const SCOPE_SPECIFICITY: Readonly<Record<BudgetScope, number>> = {
  organisation: 0,
  department: 1,
  project: 2,
  user: 3,
  api_key: 4,
  session: 5,
};
