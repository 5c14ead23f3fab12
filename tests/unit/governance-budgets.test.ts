import { describe, expect, it } from 'vitest';
import {
  applicableBudgets,
  checkAdmission,
  projectionFor,
  thresholdCrossings,
  windowSlot,
  type BudgetRow,
  type BudgetRule,
  type CallAttribution,
  type CallProjection,
} from '@/lib/engine/governance';

const rule = (over: Partial<BudgetRule> & Pick<BudgetRule, 'id'>): BudgetRule => ({
  name: over.id,
  scopeType: 'organisation',
  scopeId: null,
  window: 'month',
  metric: 'cost',
  limit: 100n,
  enforcement: 'hard',
  alertThresholds: [0.8, 0.95],
  ...over,
});

const call: CallAttribution = {
  organisationId: 'org_1',
  departmentId: 'dep_claims',
  projectId: 'prj_fnol',
  userId: 'usr_1',
  apiKeyId: 'key_1',
  sessionId: 'ses_1',
};

const row = (r: BudgetRule, committed: bigint, reserved = 0n, now = new Date('2026-03-10T12:00:00Z')): BudgetRow => ({
  rule: r,
  slot: windowSlot(r, call, now),
  committed,
  reserved,
});

const cost = (costNano: bigint): CallProjection => ({ costNano, tokens: 1_000n, requests: 1n });

describe('windowSlot', () => {
  it('keys minute windows by their UTC start and resets at the next minute', () => {
    const slot = windowSlot(rule({ id: 'rpm', window: 'minute', metric: 'requests' }), call, new Date('2026-03-10T12:34:56.789Z'));
    expect(slot).toEqual({
      budgetId: 'rpm',
      windowKey: '2026-03-10T12:34:00.000Z',
      resetsAt: new Date('2026-03-10T12:35:00.000Z'),
    });
    expect(windowSlot(rule({ id: 'rpm', window: 'minute' }), call, new Date('2026-03-10T12:34:59.999Z')).windowKey).toBe(
      '2026-03-10T12:34:00.000Z',
    );
    expect(windowSlot(rule({ id: 'rpm', window: 'minute' }), call, new Date('2026-03-10T12:35:00.000Z')).windowKey).toBe(
      '2026-03-10T12:35:00.000Z',
    );
  });

  it('keys day windows by the UTC day, across a month boundary', () => {
    const day = rule({ id: 'daily', window: 'day' });
    expect(windowSlot(day, call, new Date('2026-01-31T23:59:59.999Z'))).toMatchObject({
      windowKey: '2026-01-31T00:00:00.000Z',
      resetsAt: new Date('2026-02-01T00:00:00.000Z'),
    });
    expect(windowSlot(day, call, new Date('2026-02-01T00:00:00.000Z'))).toMatchObject({
      windowKey: '2026-02-01T00:00:00.000Z',
      resetsAt: new Date('2026-02-02T00:00:00.000Z'),
    });
  });

  it('keys month windows by the UTC month, across February and the year end', () => {
    const month = rule({ id: 'monthly', window: 'month' });
    expect(windowSlot(month, call, new Date('2026-02-28T23:59:59.999Z'))).toMatchObject({
      windowKey: '2026-02-01T00:00:00.000Z',
      resetsAt: new Date('2026-03-01T00:00:00.000Z'),
    });
    expect(windowSlot(month, call, new Date('2028-02-29T12:00:00Z')).windowKey).toBe('2028-02-01T00:00:00.000Z');
    expect(windowSlot(month, call, new Date('2026-12-31T23:30:00Z'))).toMatchObject({
      windowKey: '2026-12-01T00:00:00.000Z',
      resetsAt: new Date('2027-01-01T00:00:00.000Z'),
    });
    expect(windowSlot(month, call, new Date('2027-01-01T00:00:00Z')).windowKey).toBe('2027-01-01T00:00:00.000Z');
  });

  it('keys all-time rules `total` and per-session rules by session, neither resetting', () => {
    expect(windowSlot(rule({ id: 'cap', window: 'total' }), call, new Date())).toEqual({ budgetId: 'cap', windowKey: 'total', resetsAt: null });
    expect(windowSlot(rule({ id: 'per-run', window: 'session' }), call, new Date())).toEqual({
      budgetId: 'per-run',
      windowKey: 'session:ses_1',
      resetsAt: null,
    });
    expect(() => windowSlot(rule({ id: 'per-run', window: 'session' }), { ...call, sessionId: null }, new Date())).toThrow(RangeError);
  });

  it('gives the same answer as the calendar whatever order the times come in (calls of one window share it)', () => {
    const kinds = ['minute', 'day', 'month'] as const;
    const start = Date.parse('2027-12-31T23:58:30Z');
    // Forwards across minute, day, month and year ends, then backwards, then jumping about.
    const times = [
      ...Array.from({ length: 200 }, (_, i) => start + i * 1_013),
      ...Array.from({ length: 200 }, (_, i) => start + (199 - i) * 1_013),
      ...Array.from({ length: 200 }, (_, i) => start + ((i * 7_919) % 200) * 1_013 - 40 * 86_400_000 * (i % 3)),
    ];
    for (const ms of times) {
      for (const window of kinds) {
        const now = new Date(ms);
        const from = window === 'minute' ? new Date(Math.floor(ms / 60_000) * 60_000) : window === 'day' ? new Date(now.toISOString().slice(0, 10)) : new Date(`${now.toISOString().slice(0, 7)}-01T00:00:00Z`);
        const next = window === 'minute' ? new Date(from.getTime() + 60_000) : window === 'day' ? new Date(from.getTime() + 86_400_000) : new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth() + 1, 1));
        expect(windowSlot(rule({ id: window, window }), call, now)).toEqual({ budgetId: window, windowKey: from.toISOString(), resetsAt: next });
      }
    }
  });
});

describe('applicableBudgets', () => {
  const rules = [
    rule({ id: 'org' }),
    rule({ id: 'org-by-id', scopeId: 'org_1' }),
    rule({ id: 'dep', scopeType: 'department', scopeId: 'dep_claims' }),
    rule({ id: 'dep-other', scopeType: 'department', scopeId: 'dep_uw' }),
    rule({ id: 'prj', scopeType: 'project', scopeId: 'prj_fnol' }),
    rule({ id: 'usr', scopeType: 'user', scopeId: 'usr_1' }),
    rule({ id: 'key', scopeType: 'api_key', scopeId: 'key_1' }),
    rule({ id: 'key-other', scopeType: 'api_key', scopeId: 'key_2' }),
    rule({ id: 'ses', scopeType: 'session', scopeId: 'ses_1', window: 'total' }),
    rule({ id: 'ses-other', scopeType: 'session', scopeId: 'ses_2', window: 'total' }),
    rule({ id: 'per-session', window: 'session' }),
    rule({ id: 'key-per-session', scopeType: 'api_key', scopeId: 'key_1', window: 'session' }),
  ];
  const ids = (attribution: CallAttribution) => applicableBudgets(rules, attribution).map((r) => r.id);

  it('covers a fully attributed call at every scope it belongs to', () => {
    expect(ids(call)).toEqual(['org', 'org-by-id', 'dep', 'prj', 'usr', 'key', 'ses', 'per-session', 'key-per-session']);
  });

  it('never matches a scope whose id the call lacks, and counts session windows only with a session', () => {
    const bare: CallAttribution = {
      organisationId: 'org_1',
      departmentId: null,
      projectId: null,
      userId: null,
      apiKeyId: 'key_1',
      sessionId: null,
    };
    expect(ids(bare)).toEqual(['org', 'org-by-id', 'key']);
  });

  it('ignores an organisation rule naming another organisation', () => {
    expect(applicableBudgets([rule({ id: 'x', scopeId: 'org_2' })], call)).toEqual([]);
  });
});

describe('projectionFor', () => {
  it('reserves cost, tokens or one request by metric', () => {
    const p = { costNano: 7n, tokens: 1_500n, requests: 1n };
    expect(projectionFor('cost', p)).toBe(7n);
    expect(projectionFor('tokens', p)).toBe(1_500n);
    expect(projectionFor('requests', p)).toBe(1n);
  });
});

describe('checkAdmission', () => {
  const cap = rule({ id: 'cap', limit: 100n });

  it('admits a call that lands exactly on the limit and refuses one nano more', () => {
    expect(checkAdmission([row(cap, 60n, 30n)], cost(10n))).toEqual({ ok: true });
    const refused = checkAdmission([row(cap, 60n, 30n)], cost(11n));
    expect(refused).toEqual({
      ok: false,
      refusal: {
        type: 'budget_exceeded',
        budgetId: 'cap',
        budgetName: 'cap',
        metric: 'cost',
        window: 'month',
        limit: 100n,
        spent: 60n,
        reserved: 30n,
        requested: 11n,
        resetsAt: new Date('2026-04-01T00:00:00Z'),
      },
    });
  });

  it('refuses every positive call once committed spend has reached the limit', () => {
    expect(checkAdmission([row(cap, 100n)], cost(1n)).ok).toBe(false);
    expect(checkAdmission([row(cap, 99n, 1n)], cost(1n)).ok).toBe(false);
    // Nothing requested: admitted at the limit, refused only beyond it.
    expect(checkAdmission([row(cap, 100n)], cost(0n)).ok).toBe(true);
    expect(checkAdmission([row(cap, 101n)], cost(0n)).ok).toBe(false);
  });

  it('counts calls in flight: reservations take headroom like committed spend', () => {
    expect(checkAdmission([row(cap, 0n, 95n)], cost(6n)).ok).toBe(false);
    expect(checkAdmission([row(cap, 0n, 95n)], cost(5n)).ok).toBe(true);
  });

  it('never refuses on a soft budget, however far over', () => {
    const soft = rule({ id: 'soft', enforcement: 'soft', limit: 10n });
    expect(checkAdmission([row(soft, 1_000n, 500n)], cost(1_000_000n))).toEqual({ ok: true });
  });

  it('answers quota_exceeded for token and request quotas', () => {
    const tpm = rule({ id: 'tpm', window: 'minute', metric: 'tokens', limit: 10_000n });
    const rpm = rule({ id: 'rpm', window: 'minute', metric: 'requests', limit: 60n });
    const tokens = checkAdmission([row(tpm, 9_500n)], cost(0n));
    expect(tokens).toMatchObject({ ok: false, refusal: { type: 'quota_exceeded', budgetId: 'tpm', requested: 1_000n } });
    expect(checkAdmission([row(rpm, 59n)], cost(0n))).toEqual({ ok: true });
    expect(checkAdmission([row(rpm, 60n)], cost(0n))).toMatchObject({ ok: false, refusal: { type: 'quota_exceeded', budgetId: 'rpm', requested: 1n } });
  });

  it('reports the tripped budget with the least headroom when several windows trip', () => {
    const orgMonth = rule({ id: 'org-month', limit: 100_000n });
    const projectDay = rule({ id: 'prj-day', scopeType: 'project', scopeId: 'prj_fnol', window: 'day', limit: 10_000n });
    const keyTotal = rule({ id: 'key-total', scopeType: 'api_key', scopeId: 'key_1', window: 'total', limit: 50_000n });
    const rows = [row(orgMonth, 97_000n), row(projectDay, 8_000n), row(keyTotal, 10_000n)];
    // 3,000 left on the org month, 2,000 on the project day, 40,000 on the key.
    expect(checkAdmission(rows, cost(2_000n))).toEqual({ ok: true });
    expect(checkAdmission(rows, cost(2_001n))).toMatchObject({ ok: false, refusal: { budgetId: 'prj-day', spent: 8_000n } });
    // Both the org month and the project day trip: the project day has less headroom.
    expect(checkAdmission(rows, cost(3_500n))).toMatchObject({ ok: false, refusal: { budgetId: 'prj-day' } });
    // With 1,000 left on the org month, it is the tighter one, though wider in scope.
    const tighterOrg = [row(orgMonth, 99_000n), row(projectDay, 8_000n), row(keyTotal, 10_000n)];
    expect(checkAdmission(tighterOrg, cost(2_500n))).toMatchObject({ ok: false, refusal: { budgetId: 'org-month', spent: 99_000n } });
    // Soft rows are never reported, even with less headroom.
    const soft = rule({ id: 'soft', enforcement: 'soft', limit: 1n });
    expect(checkAdmission([row(soft, 1n), ...rows], cost(3_001n))).toMatchObject({ refusal: { budgetId: 'prj-day' } });
  });

  it('compares headroom across metrics relative to what the call asks', () => {
    const money = rule({ id: 'money', limit: 1_000n });
    const tokens = rule({ id: 'tokens', metric: 'tokens', limit: 10_000n });
    // money: 100 of 200 fits (0.5); tokens: 100 of 1,000 fits (0.1) -> tokens is tighter.
    const result = checkAdmission([row(money, 900n), row(tokens, 9_900n)], { costNano: 200n, tokens: 1_000n, requests: 1n });
    expect(result).toMatchObject({ ok: false, refusal: { budgetId: 'tokens', type: 'quota_exceeded' } });
  });

  it('breaks a tie in headroom with the narrowest scope', () => {
    const org = rule({ id: 'org', limit: 100n });
    const dep = rule({ id: 'dep', scopeType: 'department', scopeId: 'dep_claims', limit: 50n });
    const result = checkAdmission([row(org, 90n), row(dep, 40n)], cost(20n));
    expect(result).toMatchObject({ refusal: { budgetId: 'dep' } });
    expect(checkAdmission([row(dep, 40n), row(org, 90n)], cost(20n))).toMatchObject({ refusal: { budgetId: 'dep' } });
  });

  it('admits when no rules apply', () => {
    expect(checkAdmission([], cost(10n ** 18n))).toEqual({ ok: true });
  });
});

describe('thresholdCrossings', () => {
  const budget = rule({ id: 'b', limit: 1_000n, alertThresholds: [0.95, 0.8] });
  const levels = (before: bigint, after: bigint, alerted: number) => thresholdCrossings(budget, before, after, alerted).map((c) => c.threshold);

  it('reports each threshold usage reaches, ascending, reaching exactly counting', () => {
    expect(levels(700n, 799n, 0)).toEqual([]);
    expect(levels(700n, 800n, 0)).toEqual([0.8]);
    expect(levels(790n, 960n, 0)).toEqual([0.8, 0.95]);
    expect(thresholdCrossings(budget, 700n, 800n, 0)).toEqual([{ budgetId: 'b', budgetName: 'b', threshold: 0.8, used: 800n, limit: 1_000n }]);
  });

  it('skips thresholds already alerted and moves that do not increase usage', () => {
    expect(levels(850n, 900n, 0.8)).toEqual([]);
    expect(levels(900n, 960n, 0.8)).toEqual([0.95]);
    expect(levels(960n, 800n, 0)).toEqual([]);
    expect(levels(960n, 960n, 0)).toEqual([]);
  });

  it('alerts a threshold passed unrecorded on the next increase', () => {
    expect(levels(850n, 860n, 0)).toEqual([0.8]);
  });

  it('never alerts the same threshold twice over a run of calls', () => {
    let used = 0n;
    let alerted = 0;
    const sent: number[] = [];
    for (let i = 0; i < 60; i++) {
      const before = used;
      used += 25n;
      if (i % 3 === 2) used -= 10n; // a settle below its reservation
      for (const c of thresholdCrossings(budget, before, used, alerted)) {
        sent.push(c.threshold);
        alerted = Math.max(alerted, c.threshold);
      }
    }
    expect(sent).toEqual([0.8, 0.95]);
  });

  it('can alert at and past the limit', () => {
    const withLimit = rule({ id: 'b', limit: 1_000n, alertThresholds: [0.8, 1] });
    expect(thresholdCrossings(withLimit, 990n, 1_000n, 0.8).map((c) => c.threshold)).toEqual([1]);
  });
});
