/**
 * The permission matrix, as data. Server and client read the same table: the
 * server enforces it in the route wrapper, the UI only uses it to hide what a
 * person cannot do.
 */
import type { KeyRole, Role } from '@/lib/engine/enums';

export const PERMISSIONS = [
  'spend.read',
  'ledger.read',
  'departments.read',
  'chargeback.read',
  'forecast.read',
  'budgets.read',
  'budgets.write',
  'keys.write',
  'policies.read',
  'policies.write',
  'prices.write',
  'approvals.read',
  'approvals.decide',
  'sessions.manage',
  'telemetry.read',
  'outcomes.read',
  'gateway.call',
  'usage.write',
  'outcomes.write',
  'feedback.write',
  'models.read',
  'upstreams.write',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** Who acts: people by their role, API keys as `agent` or `ops`. */
export type Principal = Role | KeyRole;

const READ_ALL: Permission[] = [
  'spend.read',
  'ledger.read',
  'departments.read',
  'chargeback.read',
  'forecast.read',
  'budgets.read',
  'outcomes.read',
  'models.read',
];

export const ROLE_PERMISSIONS: Record<Principal, readonly Permission[]> = {
  cfo: [...READ_ALL, 'budgets.write', 'policies.read', 'approvals.read', 'telemetry.read'],
  ops: [
    ...READ_ALL,
    'budgets.write',
    'keys.write',
    'policies.read',
    'policies.write',
    'prices.write',
    'approvals.read',
    'approvals.decide',
    'sessions.manage',
    'telemetry.read',
    'feedback.write',
    'upstreams.write',
  ],
  admin: PERMISSIONS,
  /** Managers read their own department only; the wrapper forces the scope. */
  manager: READ_ALL,
  agent: ['gateway.call', 'usage.write', 'outcomes.write', 'feedback.write', 'models.read'],
};

/** Principals whose reads are confined to their own department. */
export const DEPARTMENT_SCOPED: ReadonlySet<Principal> = new Set<Principal>(['manager']);

export function can(principal: Principal, permission: Permission): boolean {
  return ROLE_PERMISSIONS[principal].includes(permission);
}

/** Where each role lands after signing in, and what its navigation shows. */
export interface NavItem {
  href: string;
  label: string;
  permission: Permission;
}

export function landingPath(role: Role, departmentId: string | null): string {
  if (role === 'manager') return departmentId ? `/departments/${departmentId}` : '/sign-in?error=NoDepartment';
  if (role === 'ops' || role === 'admin') return '/live';
  return '/overview';
}

export function navigationFor(role: Role, departmentId: string | null): NavItem[] {
  if (role === 'manager') {
    return departmentId
      ? [{ href: `/departments/${departmentId}`, label: 'My department', permission: 'spend.read' }]
      : [];
  }
  const items: NavItem[] = [
    { href: '/overview', label: 'Overview', permission: 'spend.read' },
    { href: '/live', label: 'Live burn', permission: 'telemetry.read' },
    { href: '/inbox', label: 'Inbox', permission: 'approvals.read' },
    { href: '/departments', label: 'Departments', permission: 'departments.read' },
  ];
  return items.filter((item) => can(role, item.permission));
}
