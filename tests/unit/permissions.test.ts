import { describe, expect, it } from 'vitest';
import type { Actor } from '@/lib/auth/actor';
import { can, landingPath, navigationFor, PERMISSIONS, ROLE_PERMISSIONS } from '@/lib/auth/permissions';
import { PermissionError } from '@/lib/engine/errors';
import { departmentScope } from '@/lib/http/context';

const actor = (role: Actor['role'], departmentId: string | null): Actor => ({
  type: 'user',
  id: 'u',
  name: 'U',
  organisationId: 'o',
  role,
  departmentId,
  projectId: null,
});

describe('permission matrix', () => {
  it('names only known permissions', () => {
    for (const perms of Object.values(ROLE_PERMISSIONS)) for (const p of perms) expect(PERMISSIONS).toContain(p);
  });

  it('keeps approvals with ops and out of managers and agents', () => {
    expect(can('ops', 'approvals.decide')).toBe(true);
    expect(can('manager', 'approvals.decide')).toBe(false);
    expect(can('cfo', 'approvals.decide')).toBe(false);
    expect(can('agent', 'ledger.read')).toBe(false);
    expect(can('agent', 'gateway.call')).toBe(true);
    expect(can('manager', 'budgets.write')).toBe(false);
    expect(can('cfo', 'approvals.read')).toBe(true);
    expect(can('manager', 'approvals.read')).toBe(false);
  });

  it('lands each role on its own page', () => {
    expect(landingPath('cfo', null)).toBe('/overview');
    expect(landingPath('ops', null)).toBe('/live');
    expect(landingPath('manager', 'dep_claims')).toBe('/departments/dep_claims');
    expect(navigationFor('manager', 'dep_claims').map((n) => n.href)).toEqual(['/departments/dep_claims']);
    expect(navigationFor('cfo', null).map((n) => n.href)).toEqual(['/overview', '/live', '/inbox', '/departments']);
    expect(navigationFor('ops', null).map((n) => n.href)).toEqual(['/overview', '/live', '/inbox', '/departments']);
  });
});

describe('departmentScope', () => {
  it('confines managers to their department and refuses others with 403', () => {
    const manager = { actor: actor('manager', 'dep_claims') };
    expect(departmentScope(manager)).toBe('dep_claims');
    expect(departmentScope(manager, 'dep_claims')).toBe('dep_claims');
    expect(() => departmentScope(manager, 'dep_kyc')).toThrow(PermissionError);
    expect(() => departmentScope({ actor: actor('manager', null) })).toThrow(PermissionError);
  });

  it('lets org-wide roles choose any department or none', () => {
    expect(departmentScope({ actor: actor('cfo', 'dep_finance') })).toBeNull();
    expect(departmentScope({ actor: actor('ops', null) }, 'dep_kyc')).toBe('dep_kyc');
  });
});
