/**
 * Every number the ops inbox shows, recomputed here from the rows it is read
 * from (approval requests, sessions, alerts, the ledger) and compared with
 * the read model that serves the page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inboxData } from '@/db/queries/inbox';
import { nanoToUsdString } from '@/lib/engine/money';
import { insertLedgerRows, type LedgerRowInput } from '@/lib/server/ledger-writer';
import { createTestDb, type TestDb } from '../support/db';

const ORG = 'org_inbox_numbers';
const NOW = new Date('2026-11-18T14:37:00Z');
const MINUTE = 60_000;
const USD = 1_000_000_000n;
const ago = (minutes: number) => new Date(NOW.getTime() - minutes * MINUTE).toISOString();

let db: TestDb;
let seq = 0;

const call = (sessionId: string, minutesAgo: number, over: Partial<LedgerRowInput> = {}): LedgerRowInput => {
  const id = `inbox_call_${++seq}`;
  return {
    id,
    idempotencyKey: id,
    organisationId: ORG,
    occurredAt: new Date(NOW.getTime() - minutesAgo * MINUTE),
    source: 'gateway',
    provider: 'openai',
    modelName: 'gpt-4.1-mini',
    modelId: 'openai/gpt-4.1-mini',
    tier: 'small',
    sessionId,
    agent: 'claims-triage',
    inputTokens: 100,
    outputTokens: 10,
    costNano: 1_250_000_000n,
    listCostNano: 1_250_000_000n,
    priceStatus: 'priced',
    ...over,
  };
};

const refused = (sessionId: string, minutesAgo: number) =>
  call(sessionId, minutesAgo, { status: 'refused', errorType: 'loop_detected', costNano: 0n, listCostNano: 0n, inputTokens: 0, outputTokens: 0 });

beforeAll(async () => {
  db = await createTestDb();
  await db.query(`insert into organisations (id, name, slug) values ($1, 'Inbox numbers', 'inbox-numbers')`, [ORG]);
  await db.query(
    `insert into agent_sessions (id, organisation_id, status, frozen_reason, frozen_at, started_at, last_seen_at) values
       ('loop-1', $1, 'frozen', 'loop_detected', $2, $3, $2),
       ('loop-2', $1, 'frozen', 'session_budget', $4, $3, $4),
       ('fine-1', $1, 'active', null, null, $3, $4)`,
    [ORG, ago(30), ago(120), ago(10)],
  );
  await insertLedgerRows(db, [
    // loop-1: three calls ran ($1.25 each), then the loop guard refused five.
    ...[50, 45, 40].map((m) => call('loop-1', m)),
    ...[30, 29, 28, 27, 26].map((m) => refused('loop-1', m)),
    // loop-2: one call that ran, at $2.50.
    call('loop-2', 15, { costNano: 2n * 1_250_000_000n, listCostNano: 2n * 1_250_000_000n }),
    // An active session: not in the inbox.
    call('fine-1', 5),
  ]);
  await db.query(
    `insert into approval_requests (id, organisation_id, status, reason, projected_cost_nano, requested_at, expires_at, decided_at, decided_by) values
       ('apr_waiting_1', $1, 'pending', 'over $5', $2, $3, $4, null, null),
       ('apr_waiting_2', $1, 'pending', 'over $5', $5, $6, $4, null, null),
       ('apr_lapsed', $1, 'pending', 'over $5', $5, $7, $8, null, null),
       ('apr_decided', $1, 'approved', 'over $5', $5, $7, $4, $6, 'user:usr_nobody')`,
    [ORG, (12n * USD + 340_000_000n).toString(), ago(20), ago(-60), (7n * USD).toString(), ago(10), ago(3 * 60), ago(60)],
  );
  await db.query(
    `insert into alerts (organisation_id, kind, severity, message, created_at) values
       ($1, 'budget_threshold', 'warning', 'Claims reached 80% of its limit.', $2),
       ($1, 'budget_threshold', 'critical', 'Claims reached 95% of its limit.', $3),
       ($1, 'budget_threshold', 'warning', 'An old one.', $4)`,
    [ORG, ago(60), ago(23 * 60), ago(25 * 60)],
  );
});

afterAll(async () => {
  await db?.dispose();
});

describe('inbox numbers', () => {
  it('counts what waits: live approvals, frozen sessions, alerts of the last 24 hours', async () => {
    const inbox = await inboxData({ db, organisationId: ORG, now: NOW });
    expect(inbox.counts).toEqual({ approvalsWaiting: 2, frozenSessions: 2, alertsLast24h: 2 });
    expect(inbox.pending.map((a) => a.id)).toEqual(['apr_waiting_2', 'apr_waiting_1']);
    expect(inbox.decided.map((a) => a.id)).toEqual(['apr_decided']);
  });

  it('shows each approval\'s projected cost exactly', async () => {
    const inbox = await inboxData({ db, organisationId: ORG, now: NOW });
    const rows = await db.query<{ id: string; projected: string }>('select id, projected_cost_nano::text as projected from approval_requests where organisation_id = $1', [ORG]);
    const projected = new Map(rows.map((r) => [r.id, nanoToUsdString(BigInt(r.projected))]));
    for (const a of [...inbox.pending, ...inbox.decided]) expect(a.projected_cost_usd, a.id).toBe(projected.get(a.id));
    expect(inbox.pending.find((a) => a.id === 'apr_waiting_1')?.projected_cost_usd).toBe('12.34');
  });

  it('sums each frozen session\'s calls, refusals and spend from the ledger', async () => {
    const inbox = await inboxData({ db, organisationId: ORG, now: NOW });
    const ledger = await db.query<{ session_id: string; status: string; cost: string }>(
      'select session_id, status, cost_nano::text as cost from ledger_events where organisation_id = $1',
      [ORG],
    );
    expect(inbox.frozen.map((s) => s.id)).toEqual(['loop-2', 'loop-1']);
    for (const s of inbox.frozen) {
      const mine = ledger.filter((r) => r.session_id === s.id);
      expect(s.requests, s.id).toBe(mine.filter((r) => r.status !== 'refused').length);
      expect(s.refused, s.id).toBe(mine.filter((r) => r.status === 'refused').length);
      expect(s.spend_usd, s.id).toBe(nanoToUsdString(mine.reduce((t, r) => t + BigInt(r.cost), 0n)));
    }
    expect(inbox.frozen.find((s) => s.id === 'loop-1')).toMatchObject({ requests: 3, refused: 5, spend_usd: '3.75' });
  });
});
