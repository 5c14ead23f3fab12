import { describe, expect, it } from 'vitest';
import {
  approvalCovers,
  approvalNeeded,
  type ApprovalGrant,
  type ApprovalPolicy,
  type CallAttribution,
} from '@/lib/engine/governance';

const USD = 1_000_000_000n;

const call: CallAttribution = {
  organisationId: 'org_1',
  departmentId: 'dep_claims',
  projectId: 'prj_fnol',
  userId: null,
  apiKeyId: 'key_1',
  sessionId: 'ses_1',
};

const policy = (over: Partial<ApprovalPolicy> & Pick<ApprovalPolicy, 'id'>): ApprovalPolicy => ({
  scopeType: 'organisation',
  scopeId: null,
  task: null,
  workflow: null,
  thresholdNano: 100n * USD,
  ttlMs: 3_600_000,
  ...over,
});

describe('approvalNeeded', () => {
  const policies = [
    policy({ id: 'org-100' }),
    policy({ id: 'claims-adjust-20', scopeType: 'department', scopeId: 'dep_claims', task: 'claims_adjust', thresholdNano: 20n * USD }),
    policy({ id: 'fnol-wf-10', scopeType: 'project', scopeId: 'prj_fnol', workflow: 'fnol-triage', thresholdNano: 10n * USD }),
    policy({ id: 'other-dep-1', scopeType: 'department', scopeId: 'dep_uw', thresholdNano: USD }),
  ];

  it('passes a call at or under every threshold', () => {
    expect(approvalNeeded(policies, call, 'claims_adjust', 'fnol-triage', 10n * USD)).toBeNull();
  });

  it('trips on a projection strictly above a matching threshold, the lowest winning', () => {
    expect(approvalNeeded(policies, call, 'claims_adjust', 'fnol-triage', 10n * USD + 1n)?.id).toBe('fnol-wf-10');
    expect(approvalNeeded(policies, call, 'claims_adjust', 'fnol-triage', 500n * USD)?.id).toBe('fnol-wf-10');
    expect(approvalNeeded(policies, call, 'claims_adjust', null, 25n * USD)?.id).toBe('claims-adjust-20');
    expect(approvalNeeded(policies, call, 'claims_adjust', null, 20n * USD)).toBeNull();
  });

  it('matches task and workflow only when the policy names them', () => {
    expect(approvalNeeded(policies, call, 'summarize', null, 50n * USD)).toBeNull();
    expect(approvalNeeded(policies, call, 'summarize', 'other-wf', 101n * USD)?.id).toBe('org-100');
    expect(approvalNeeded(policies, call, null, null, 101n * USD)?.id).toBe('org-100');
  });

  it('ignores policies of scopes the call is not in', () => {
    expect(approvalNeeded(policies, { ...call, departmentId: 'dep_other', projectId: null }, 'claims_adjust', 'fnol-triage', 50n * USD)).toBeNull();
  });

  it('breaks a tie in threshold by the narrowest scope', () => {
    const tied = [policy({ id: 'org-5', thresholdNano: 5n * USD }), policy({ id: 'key-5', scopeType: 'api_key', scopeId: 'key_1', thresholdNano: 5n * USD })];
    expect(approvalNeeded(tied, call, null, null, 6n * USD)?.id).toBe('key-5');
  });
});

describe('approvalCovers', () => {
  const now = new Date('2026-03-10T12:00:00Z');
  const grant: ApprovalGrant = {
    status: 'approved',
    approvedAmountNano: 40n * USD,
    expiresAt: new Date('2026-03-10T13:00:00Z'),
    usedAt: null,
    organisationId: 'org_1',
    apiKeyId: 'key_1',
    sessionId: 'ses_1',
  };
  const retry = { projectedCostNano: 35n * USD, now, organisationId: 'org_1', apiKeyId: 'key_1', sessionId: 'ses_1' };

  it('covers the approved caller within the approved amount, up to it exactly', () => {
    expect(approvalCovers(grant, retry)).toEqual({ ok: true });
    expect(approvalCovers(grant, { ...retry, projectedCostNano: 40n * USD })).toEqual({ ok: true });
  });

  it('refuses a projection above the approved amount', () => {
    expect(approvalCovers(grant, { ...retry, projectedCostNano: 40n * USD + 1n })).toEqual({ ok: false, reason: 'amount_exceeded' });
  });

  it('refuses pending, rejected, used and expired approvals', () => {
    expect(approvalCovers({ ...grant, status: 'pending', approvedAmountNano: null }, retry)).toEqual({ ok: false, reason: 'not_approved' });
    expect(approvalCovers({ ...grant, approvedAmountNano: null }, retry)).toEqual({ ok: false, reason: 'not_approved' });
    expect(approvalCovers({ ...grant, status: 'rejected' }, retry)).toEqual({ ok: false, reason: 'rejected' });
    expect(approvalCovers({ ...grant, status: 'used' }, retry)).toEqual({ ok: false, reason: 'used' });
    expect(approvalCovers({ ...grant, usedAt: new Date('2026-03-10T11:59:00Z') }, retry)).toEqual({ ok: false, reason: 'used' });
    expect(approvalCovers({ ...grant, status: 'expired' }, retry)).toEqual({ ok: false, reason: 'expired' });
  });

  it('expires at expiresAt exactly, pending requests included', () => {
    expect(approvalCovers(grant, { ...retry, now: new Date('2026-03-10T12:59:59.999Z') })).toEqual({ ok: true });
    expect(approvalCovers(grant, { ...retry, now: grant.expiresAt })).toEqual({ ok: false, reason: 'expired' });
    expect(approvalCovers({ ...grant, status: 'pending' }, { ...retry, now: grant.expiresAt })).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses another organisation, key or session before saying anything else', () => {
    expect(approvalCovers(grant, { ...retry, organisationId: 'org_2' })).toEqual({ ok: false, reason: 'other_caller' });
    expect(approvalCovers(grant, { ...retry, apiKeyId: 'key_2' })).toEqual({ ok: false, reason: 'other_caller' });
    expect(approvalCovers(grant, { ...retry, sessionId: null })).toEqual({ ok: false, reason: 'other_caller' });
    expect(approvalCovers({ ...grant, status: 'rejected' }, { ...retry, apiKeyId: 'key_2' })).toEqual({ ok: false, reason: 'other_caller' });
  });

  it('lets any key or session of the organisation use an approval that names none', () => {
    const open = { ...grant, apiKeyId: null, sessionId: null };
    expect(approvalCovers(open, { ...retry, apiKeyId: 'key_9', sessionId: null })).toEqual({ ok: true });
    expect(approvalCovers(open, { ...retry, organisationId: 'org_2' })).toEqual({ ok: false, reason: 'other_caller' });
  });
});
