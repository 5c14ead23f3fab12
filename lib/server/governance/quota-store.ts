/**
 * The quota store: budget and quota admission made atomic across every app
 * instance through PostgreSQL alone (no Redis, no leader).
 *
 * Each budget has one counter row per window (`budget_usage`). Admission
 * (`reserve`) runs in one transaction: it locks the call's counter rows in
 * one fixed order (budget id, window key), releases their expired
 * reservations, asks the engine (`checkAdmission`) whether any hard budget's
 * `committed + reserved + amount` would pass its limit, and otherwise adds
 * the call's projected maximum to `reserved` and writes one reservation row
 * per counter. `settle` moves the actual amount to `committed` and drops the
 * reservation; `release` drops it with nothing committed. Because every
 * admitted call holds its projected maximum until it settles, committed
 * spend stays within a hard limit whatever the concurrency and however many
 * instances, as long as actuals do not exceed projections.
 *
 * Locking: every transaction here that writes counter rows locks all of them
 * first, in one `select ... order by budget_id, window_key for update`, and
 * takes no other lock before that; reservation rows are only deleted while
 * their counter rows are held. So two transactions always meet at their
 * first common row and cannot deadlock. Counter rows are created outside any
 * transaction (`insert ... on conflict do nothing`, committed at once),
 * their opening `committed` read from the ledger (window-usage.ts).
 *
 * Group commit: concurrent `reserve` calls in one process share one
 * transaction, and so do concurrent `settle`/`release` calls (batcher.ts);
 * the outcome is the one admitting them one by one in arrival order would
 * give, and a hot counter is locked once per batch instead of once per call.
 */
import { randomBytes } from 'node:crypto';
import type { DbHandle } from '@/db/client';
import { BUDGET_RULE_COLUMNS, toBudgetRule, type BudgetRuleColumns } from '@/db/queries/budget-rules';
import type { BudgetMetric, Enforcement } from '@/lib/engine/enums';
import { checkAdmission, projectionFor, thresholdCrossings, type BudgetRow } from '@/lib/engine/governance';
import type { BudgetRefusal, BudgetRule, CallAttribution, CallProjection, ThresholdCrossing } from '@/lib/engine/governance/types';
import { Batcher, type Pending } from './batcher';
import { admissionSlots, type AdmissionSlot } from './slots';
import { dbExec, rawTxExec, txExec, type Exec } from './sql';
import { windowUsageSql } from './window-usage';

export type { AdmissionSlot } from './slots';

// ---------------------------------------------------------------- rules

const RULES_TTL_MS = 5_000;
const rulesCache = new Map<string, { db: DbHandle; at: number; rules: Promise<BudgetRule[]> }>();

/** A budget as SQL returns it (the columns every statement here selects for a rule). */
/** The organisation's active budgets, cached in process for 5 s (other instances see a change within that). */
export function loadBudgetRules(db: DbHandle, organisationId: string): Promise<BudgetRule[]> {
  const hit = rulesCache.get(organisationId);
  const clock = Date.now();
  if (hit && hit.db === db && clock - hit.at < RULES_TTL_MS) return hit.rules;
  const rules = db
    .query<BudgetRuleColumns>(`select ${BUDGET_RULE_COLUMNS} from budgets b where b.organisation_id = $1 and b.archived_at is null order by b.id`, [organisationId])
    .then((rows) => rows.map(toBudgetRule));
  rulesCache.set(organisationId, { db, at: clock, rules });
  rules.catch(() => {
    if (rulesCache.get(organisationId)?.rules === rules) rulesCache.delete(organisationId);
  });
  return rules;
}

/** Drops cached rules (one organisation's, or all): call after writing budgets. */
export function invalidateBudgetRules(organisationId?: string): void {
  if (organisationId === undefined) rulesCache.clear();
  else rulesCache.delete(organisationId);
}

// ---------------------------------------------------------------- statements

interface CounterRow {
  budget_id: string;
  window_key: string;
  committed: string;
  reserved: string;
  alerted_level: number;
  limit_value: string | null;
  enforcement: Enforcement | null;
  archived: boolean;
  has_expired: boolean;
}

/**
 * Locks the given counter rows in the one global order, with their budget's
 * current limit and enforcement (authoritative: the rules may be up to 5 s
 * old). `has_expired` is a hint read from the statement's snapshot, which
 * predates any wait for a lock; the release that follows re-reads under it.
 * It is one hashed scan of the expired reservations (the expiry index; the
 * sweep keeps them few), never a walk of a hot counter's holds in flight.
 */
const LOCK_COUNTERS = `
select u.budget_id, u.window_key, u.committed::text as committed, u.reserved::text as reserved,
       u.alerted_level::float8 as alerted_level, b.limit_value::text as limit_value, b.enforcement,
       b.archived_at is not null as archived,
       (u.budget_id, u.window_key) in (select r.budget_id, r.window_key from reservations r where r.expires_at <= $3::timestamptz) as has_expired
  from budget_usage u
  left join budgets b on b.id = u.budget_id
 where (u.budget_id, u.window_key) in (select * from unnest($1::text[], $2::text[]))
 order by u.budget_id, u.window_key
   for update of u`;

/** Releases the expired reservations of counter rows this transaction holds; returns the counters' new `reserved` and the released ids. */
const RELEASE_EXPIRED = `
with d as (
  delete from reservations r
   using unnest($1::text[], $2::text[]) as s(budget_id, window_key)
   where r.budget_id = s.budget_id and r.window_key = s.window_key and r.expires_at <= $3::timestamptz
  returning r.id, r.budget_id, r.window_key, r.amount
), f as (
  select budget_id, window_key, sum(amount) as amount from d group by 1, 2
), u as (
  update budget_usage u set reserved = u.reserved - f.amount, updated_at = now()
    from f where u.budget_id = f.budget_id and u.window_key = f.window_key
  returning u.budget_id, u.window_key, u.reserved
)
select u.budget_id, u.window_key, u.reserved::text as reserved, null as id from u
union all
select null, null, null, d.id from (select distinct id from d) d`;

/** Adds a batch's holds to its counters (already locked) and writes the reservation rows. */
const APPLY_RESERVATIONS = `
with c as (
  update budget_usage u set reserved = u.reserved + s.amount, updated_at = now()
    from unnest($1::text[], $2::text[], $3::int8[]) as s(budget_id, window_key, amount)
   where u.budget_id = s.budget_id and u.window_key = s.window_key
)
insert into reservations (id, budget_id, window_key, organisation_id, request_id, amount, created_at, expires_at)
select * from unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::int8[], $10::timestamptz[], $11::timestamptz[])`;

const LOCK_RESERVATIONS = `
select u.budget_id from budget_usage u
 where (u.budget_id, u.window_key) in (select r.budget_id, r.window_key from reservations r where r.id = any($1::text[]))
 order by u.budget_id, u.window_key
   for update of u`;

/**
 * Drops the reservations and moves each call's actual amount, in each
 * budget's metric, to `committed` (the counters are already locked). One
 * row per (reservation, counter), with the counter after the whole batch and
 * `actual`, how much the batch added to `committed`.
 */
const SETTLE_RESERVATIONS = `
with a as (
  select * from unnest($1::text[], $2::int8[], $3::int8[], $4::int8[]) as a(id, cost_nano, tokens, requests)
), d as (
  delete from reservations r using a where r.id = a.id
  returning r.id, r.budget_id, r.window_key, r.amount
), x as (
  select d.budget_id, d.window_key, sum(d.amount) as amount,
         sum(case b.metric when 'cost' then a.cost_nano when 'tokens' then a.tokens when 'requests' then a.requests else 0 end) as actual
    from d join a on a.id = d.id left join budgets b on b.id = d.budget_id
   group by 1, 2
), u as (
  update budget_usage u set reserved = u.reserved - x.amount, committed = u.committed + x.actual, updated_at = now()
    from x where u.budget_id = x.budget_id and u.window_key = x.window_key
  returning u.budget_id, u.window_key, u.committed, u.alerted_level, x.actual
)
select d.id as reservation_id, u.budget_id, u.window_key, u.committed::text as committed,
       u.alerted_level::float8 as alerted_level, u.actual::text as actual, b.id is not null as has_budget, ${BUDGET_RULE_COLUMNS}
  from d
  join u on u.budget_id = d.budget_id and u.window_key = d.window_key
  left join budgets b on b.id = d.budget_id`;

const RAISE_ALERTED = `
update budget_usage u set alerted_level = greatest(u.alerted_level, s.level::real)
  from unnest($1::text[], $2::text[], $3::float8[]) as s(budget_id, window_key, level)
 where u.budget_id = s.budget_id and u.window_key = s.window_key`;

/**
 * The organisation's counting lock (a transaction-level advisory lock on
 * `COUNTING_LOCK_CLASS` and the organisation id's hash): shared by each
 * transaction that writes ledger rows and counts them on existing counters,
 * exclusive while counters are opened from the ledger. Taken before any
 * counter row lock, and counter opening takes no other lock, so it adds no
 * deadlock.
 */
const COUNTING_LOCK_CLASS = 727_275;
const COUNTING_LOCK_SHARED = `select pg_advisory_xact_lock_shared(${COUNTING_LOCK_CLASS}, hashtext($1::text))`;
const COUNTING_LOCK_EXCLUSIVE = `select pg_advisory_xact_lock(${COUNTING_LOCK_CLASS}, hashtext($1::text))`;

const ADD_COMMITTED = `
update budget_usage u set committed = u.committed + s.amount, alerted_level = greatest(u.alerted_level, s.level::real), updated_at = now()
  from unnest($1::text[], $2::text[], $3::int8[], $4::float8[]) as s(budget_id, window_key, amount, level)
 where u.budget_id = s.budget_id and u.window_key = s.window_key`;

// ---------------------------------------------------------------- admission

export interface ReserveInput {
  organisationId: string;
  requestId: string;
  /**
   * The counters the call is charged to (`admissionSlots`), each with the
   * call's projected maximum in the budget's metric; one slot per counter,
   * and one amount per metric.
   */
  slots: readonly AdmissionSlot[];
  /** How long the hold lasts if the call never settles; longer than the upstream timeout. */
  ttlMs: number;
  now: Date;
}

export type ReserveResult = { ok: true; reservationId: string } | { ok: false; refusal: BudgetRefusal };

export interface SettleResult {
  /** False when the reservation was already settled, released or expired, or held nothing (no budget applied): nothing changed. */
  settled: boolean;
  crossings: ThresholdCrossing[];
}

interface ReserveJob {
  input: ReserveInput;
  projection: CallProjection;
  reservationId: string;
  expiresAt: Date;
}

interface FinishJob {
  reservationId: string;
  /** Null: release, nothing committed. */
  actual: CallProjection | null;
}

const batchers = new WeakMap<DbHandle, { reserve: Batcher<ReserveJob, ReserveResult>; finish: Batcher<FinishJob, SettleResult> }>();

function batchersFor(db: DbHandle) {
  let held = batchers.get(db);
  if (!held) {
    held = { reserve: new Batcher((batch) => reserveBatch(db, batch)), finish: new Batcher((batch) => finishBatch(db, batch)) };
    batchers.set(db, held);
  }
  return held;
}

/**
 * Admits a call against all its counters at once, or refuses it (the
 * engine's choice of the tightest hard budget); a refused call holds
 * nothing. Soft budgets hold the amount too, so their use is live, but never
 * refuse. A hold is not spend: alert thresholds are crossed by committed
 * spend only, when calls settle (and usage is recorded), never here.
 */
export function reserve(db: DbHandle, input: ReserveInput): Promise<ReserveResult> {
  let projection: CallProjection;
  try {
    projection = projectionOf(input.slots);
  } catch (error) {
    return Promise.reject(error);
  }
  const reservationId = `rsv_${randomBytes(12).toString('hex')}`;
  if (input.slots.length === 0) return Promise.resolve({ ok: true, reservationId });
  const expiresAt = new Date(input.now.getTime() + input.ttlMs);
  return batchersFor(db).reserve.submit({ input, projection, reservationId, expiresAt });
}

/** Commits the call's actual use against every counter it reserved, and drops the reservation. Idempotent. */
export function settle(db: DbHandle, reservationId: string, actual: CallProjection): Promise<SettleResult> {
  return batchersFor(db).finish.submit({ reservationId, actual });
}

/** Drops a failed call's reservation; nothing is committed. Idempotent. Returns whether there was anything to release. */
export async function release(db: DbHandle, reservationId: string): Promise<boolean> {
  return (await batchersFor(db).finish.submit({ reservationId, actual: null })).settled;
}

/** Runs a batch's transaction; if it fails, each job on its own, so one cannot sink the others. */
async function isolating<J, R>(batch: Pending<J, R>[], attempt: (batch: Pending<J, R>[]) => Promise<void>): Promise<void> {
  try {
    await attempt(batch);
  } catch (error) {
    if (batch.length === 1) throw error;
    for (const p of batch) await attempt([p]).catch((e: unknown) => p.reject(e));
  }
}

async function reserveBatch(db: DbHandle, batch: Pending<ReserveJob, ReserveResult>[]): Promise<void> {
  let pending = batch;
  for (let attempt = 0; pending.length > 0; attempt++) {
    const waiting: Pending<ReserveJob, ReserveResult>[] = [];
    await isolating(pending, async (jobs) => {
      const outcome = await db.db.transaction((tx) => reserveInTransaction(txExec(tx), jobs));
      for (const [p, result] of outcome.results) p.resolve(result);
      waiting.push(...outcome.waiting);
    });
    if (waiting.length === 0) return;
    if (attempt >= 2) {
      for (const p of waiting) p.reject(new Error(`budget counters could not be created for ${p.job.reservationId}`));
      return;
    }
    const missing = new Map<string, { organisationId: string; slot: AdmissionSlot }>();
    for (const p of waiting) for (const s of p.job.input.slots) missing.set(slotKey(s), { organisationId: p.job.input.organisationId, slot: s });
    try {
      await ensureCounters(db, [...missing.values()]);
    } catch (error) {
      for (const p of waiting) p.reject(error);
      return;
    }
    pending = waiting;
  }
}

/** A locked counter as the batch sees it, with the holds of the batch's earlier calls added. */
interface Counter {
  committed: bigint;
  reserved: bigint;
  /** Null when the budget row is gone: nothing to enforce. */
  limit: bigint | null;
  hard: boolean;
  added: bigint;
}

/** The rule with the budget's current limit and enforcement (archived budgets no longer refuse). */
function liveRule(rule: BudgetRule, c: Counter): BudgetRule {
  return { ...rule, limit: c.limit ?? rule.limit, enforcement: c.hard ? 'hard' : 'soft' };
}

type ReserveOutcome = { results: Map<Pending<ReserveJob, ReserveResult>, ReserveResult>; waiting: Pending<ReserveJob, ReserveResult>[] };

async function reserveInTransaction(exec: Exec, jobs: Pending<ReserveJob, ReserveResult>[]): Promise<ReserveOutcome> {
  const keys = new Map<string, { budgetId: string; windowKey: string }>();
  for (const p of jobs) for (const s of p.job.input.slots) keys.set(slotKey(s), { budgetId: s.slot.budgetId, windowKey: s.slot.windowKey });
  const budgetIds = [...keys.values()].map((k) => k.budgetId);
  const windowKeys = [...keys.values()].map((k) => k.windowKey);
  const now = new Date(Math.max(...jobs.map((p) => p.job.input.now.getTime())));

  const rows = await exec<CounterRow>(LOCK_COUNTERS, [budgetIds, windowKeys, now]);
  if (rows.some((r) => r.has_expired)) {
    const freed = await exec<{ budget_id: string | null; window_key: string; reserved: string }>(RELEASE_EXPIRED, [budgetIds, windowKeys, now]);
    const reservedNow = new Map(freed.filter((f) => f.budget_id !== null).map((f) => [counterKey(f as CounterRow), f.reserved]));
    for (const row of rows) row.reserved = reservedNow.get(counterKey(row)) ?? row.reserved;
  }
  const counters = new Map<string, Counter>(
    rows.map((r) => [
      counterKey(r),
      {
        committed: BigInt(r.committed),
        reserved: BigInt(r.reserved),
        limit: r.limit_value === null ? null : BigInt(r.limit_value),
        hard: r.enforcement === 'hard' && !r.archived && r.limit_value !== null,
        added: 0n,
      },
    ]),
  );

  const results: ReserveOutcome['results'] = new Map();
  const waiting: ReserveOutcome['waiting'] = [];
  const held: { job: ReserveJob; slot: AdmissionSlot }[] = [];
  for (const p of jobs) {
    const { job } = p;
    if (job.input.slots.some((s) => !counters.has(slotKey(s)))) {
      waiting.push(p);
      continue;
    }
    const view: BudgetRow[] = job.input.slots.map((s) => {
      const c = counters.get(slotKey(s))!;
      return { rule: liveRule(s.rule, c), slot: s.slot, committed: c.committed, reserved: c.reserved };
    });
    const admission = checkAdmission(view, job.projection);
    if (!admission.ok) {
      results.set(p, admission);
      continue;
    }
    for (const s of job.input.slots) {
      const c = counters.get(slotKey(s))!;
      c.reserved += s.amount;
      c.added += s.amount;
      held.push({ job, slot: s });
    }
    results.set(p, { ok: true, reservationId: job.reservationId });
  }

  if (held.length > 0) {
    const heldKeys = new Set(held.map((h) => slotKey(h.slot)));
    const touched = [...counters.entries()].filter(([key]) => heldKeys.has(key));
    await exec(APPLY_RESERVATIONS, [
      touched.map(([key]) => keys.get(key)!.budgetId),
      touched.map(([key]) => keys.get(key)!.windowKey),
      touched.map(([, c]) => c.added),
      held.map((h) => h.job.reservationId),
      held.map((h) => h.slot.slot.budgetId),
      held.map((h) => h.slot.slot.windowKey),
      held.map((h) => h.job.input.organisationId),
      held.map((h) => h.job.input.requestId),
      held.map((h) => h.slot.amount),
      held.map((h) => h.job.input.now),
      held.map((h) => h.job.expiresAt),
    ]);
  }
  return { results, waiting };
}

interface SettledRow extends BudgetRuleColumns {
  reservation_id: string;
  budget_id: string;
  window_key: string;
  committed: string;
  alerted_level: number;
  actual: string;
  has_budget: boolean;
}

async function finishBatch(db: DbHandle, batch: Pending<FinishJob, SettleResult>[]): Promise<void> {
  // A reservation finished twice in one batch: the first one counts, the second finds nothing.
  const firsts: Pending<FinishJob, SettleResult>[] = [];
  const repeats: Pending<FinishJob, SettleResult>[] = [];
  const seen = new Set<string>();
  for (const p of batch) {
    (seen.has(p.job.reservationId) ? repeats : firsts).push(p);
    seen.add(p.job.reservationId);
  }
  await isolating(firsts, async (jobs) => {
    const results = await db.db.transaction((tx) => finishInTransaction(txExec(tx), jobs));
    for (const p of jobs) p.resolve(results.get(p.job.reservationId) ?? { settled: false, crossings: [] });
  });
  for (const p of repeats) p.resolve({ settled: false, crossings: [] });
}

async function finishInTransaction(exec: Exec, jobs: Pending<FinishJob, SettleResult>[]): Promise<Map<string, SettleResult>> {
  const ids = jobs.map((p) => p.job.reservationId);
  const results = new Map<string, SettleResult>();
  const locked = await exec(LOCK_RESERVATIONS, [ids]);
  if (locked.length === 0) return results;
  const actual = (f: (a: CallProjection) => bigint) => jobs.map((p) => (p.job.actual ? f(p.job.actual) : 0n));
  const rows = await exec<SettledRow>(SETTLE_RESERVATIONS, [ids, actual((a) => a.costNano), actual((a) => a.tokens), actual((a) => a.requests)]);

  // Thresholds are checked once per counter, on the committed spend the batch added, and reported to the last settle that touched it.
  const settling = new Set(jobs.filter((p) => p.job.actual).map((p) => p.job.reservationId));
  const last = new Map<string, SettledRow>();
  for (const row of rows) {
    results.set(row.reservation_id, { settled: true, crossings: [] });
    if (settling.has(row.reservation_id) && row.has_budget) last.set(counterKey(row), row);
  }
  const raised: { budgetId: string; windowKey: string; level: number }[] = [];
  for (const row of last.values()) {
    const after = BigInt(row.committed);
    const crossed = thresholdCrossings(toBudgetRule(row), after - BigInt(row.actual), after, alerted(row.alerted_level));
    if (crossed.length === 0) continue;
    const level = raise(row.alerted_level, crossed, results.get(row.reservation_id)!.crossings);
    raised.push({ budgetId: row.budget_id, windowKey: row.window_key, level });
  }
  if (raised.length > 0) {
    await exec(RAISE_ALERTED, [raised.map((r) => r.budgetId), raised.map((r) => r.windowKey), raised.map((r) => r.level)]);
  }
  return results;
}

/**
 * The sweep for calls that never settled (a crashed instance, a lost
 * connection): releases every reservation expired at `now`, in all
 * organisations, a batch of counters per transaction. Returns how many
 * reservations it released.
 */
export async function expireReservations(db: DbHandle, now: Date, batch = 500): Promise<number> {
  const released = new Set<string>();
  for (;;) {
    const full = await db.db.transaction(async (tx) => {
      const exec = txExec(tx);
      const keys = await exec<{ budget_id: string; window_key: string }>(
        `select distinct r.budget_id, r.window_key from reservations r
          where r.expires_at <= $1::timestamptz
            and exists (select 1 from budget_usage u where u.budget_id = r.budget_id and u.window_key = r.window_key)
          order by 1, 2 limit $2::int`,
        [now, batch],
      );
      if (keys.length === 0) return false;
      const budgetIds = keys.map((k) => k.budget_id);
      const windowKeys = keys.map((k) => k.window_key);
      await exec(LOCK_COUNTERS, [budgetIds, windowKeys, now]);
      const freed = await exec<{ id: string | null }>(RELEASE_EXPIRED, [budgetIds, windowKeys, now]);
      for (const { id } of freed) if (id !== null) released.add(id);
      return keys.length === batch;
    });
    if (!full) break;
  }
  // Reservations whose counter row is gone hold nothing; drop them.
  const orphans = await db.query<{ id: string }>(
    `delete from reservations r where r.expires_at <= $1::timestamptz
        and not exists (select 1 from budget_usage u where u.budget_id = r.budget_id and u.window_key = r.window_key)
     returning r.id`,
    [now.toISOString()],
  );
  for (const { id } of orphans) released.add(id);
  return released.size;
}

/** Spend that did not go through admission, for `recordUsageInTransaction`. */
export interface RecordedUsage {
  attribution: CallAttribution;
  actual: CallProjection;
  occurredAt: Date;
}

/**
 * Spend that did not go through admission (usage ingest, backfill imports):
 * adds each item's actual amounts to the counters of the applicable budgets
 * for the window of its `occurredAt`, where those counters exist (a counter
 * created later opens from the ledger, which has the spend). Items charging
 * the same counter are summed first, so a batch costs one lock of its
 * counters however many events it holds. Returns the thresholds crossed.
 *
 * Run it in the transaction that writes the items' ledger rows (see
 * `lib/server/governance/usage-counting.ts`): both commit or neither, and it
 * holds the organisation's counting lock shared until then, so a counter
 * opened from the ledger at the same moment (`ensureCounters`, which holds
 * it exclusively) either sees the rows or is seen here, never both or
 * neither. `rules` must be loaded before the transaction opens.
 */
export async function recordUsageInTransaction(
  exec: Exec,
  organisationId: string,
  rules: readonly BudgetRule[],
  items: readonly RecordedUsage[],
): Promise<ThresholdCrossing[]> {
  const sums = new Map<string, AdmissionSlot>();
  let latest: Date | null = null;
  for (const item of items) {
    if (!latest || item.occurredAt > latest) latest = item.occurredAt;
    for (const slot of admissionSlots(rules, item.attribution, item.actual, item.occurredAt)) {
      if (slot.amount === 0n) continue;
      const key = slotKey(slot);
      const known = sums.get(key);
      sums.set(key, known ? { ...known, amount: known.amount + slot.amount } : slot);
    }
  }
  const slots = [...sums.values()];
  if (slots.length === 0 || !latest) return [];
  await exec(COUNTING_LOCK_SHARED, [organisationId]);
  const rows = await exec<CounterRow>(LOCK_COUNTERS, [slots.map((s) => s.slot.budgetId), slots.map((s) => s.slot.windowKey), latest]);
  const byKey = new Map(rows.map((r) => [counterKey(r), r]));
  const present = slots.filter((s) => byKey.has(slotKey(s)));
  if (present.length === 0) return [];
  const crossings: ThresholdCrossing[] = [];
  const levels = present.map((s) => {
    const row = byKey.get(slotKey(s))!;
    const before = BigInt(row.committed);
    const rule = { ...s.rule, limit: row.limit_value === null ? s.rule.limit : BigInt(row.limit_value) };
    return raise(row.alerted_level, thresholdCrossings(rule, before, before + s.amount, alerted(row.alerted_level)), crossings);
  });
  await exec(ADD_COMMITTED, [present.map((s) => s.slot.budgetId), present.map((s) => s.slot.windowKey), present.map((s) => s.amount), levels]);
  return crossings;
}

// ---------------------------------------------------------------- the naive baseline

export type NaiveResult = { ok: true; actual: CallProjection } | { ok: false; refusal: BudgetRefusal };

/**
 * For the benchmark only: what most gateways do. Reads spend, admits if the
 * call fits, runs the call, then adds the actual spend; no locks and no
 * holds, so concurrent calls all see the same spend and all get in.
 */
export async function naiveCheckThenRecord(
  db: DbHandle,
  input: { organisationId: string; slots: readonly AdmissionSlot[] },
  call: () => Promise<CallProjection>,
): Promise<NaiveResult> {
  const exec = dbExec(db);
  const { slots } = input;
  const read = () =>
    exec<{ budget_id: string; window_key: string; committed: string }>(
      `select budget_id, window_key, committed::text as committed from budget_usage
        where (budget_id, window_key) in (select * from unnest($1::text[], $2::text[]))`,
      [slots.map((s) => s.slot.budgetId), slots.map((s) => s.slot.windowKey)],
    );
  let rows = await read();
  if (rows.length < slots.length) {
    const found = new Set(rows.map(counterKey));
    await ensureCounters(
      db,
      slots.filter((s) => !found.has(slotKey(s))).map((slot) => ({ organisationId: input.organisationId, slot })),
    );
    rows = await read();
  }
  const committed = new Map(rows.map((r) => [counterKey(r), BigInt(r.committed)]));
  const view = slots.map((s) => ({ rule: s.rule, slot: s.slot, committed: committed.get(slotKey(s)) ?? 0n, reserved: 0n }));
  const admission = checkAdmission(view, projectionOf(slots));
  if (!admission.ok) return admission;
  const actual = await call();
  for (const s of slots) {
    await exec('update budget_usage set committed = committed + $3::int8, updated_at = now() where budget_id = $1 and window_key = $2', [
      s.slot.budgetId,
      s.slot.windowKey,
      projectionFor(s.rule.metric, actual),
    ]);
  }
  return { ok: true, actual };
}

// ---------------------------------------------------------------- helpers

/**
 * Creates missing counter rows, each opening with what the ledger already
 * holds for its window, in one transaction per organisation that holds the
 * organisation's counting lock exclusively (taken in a statement of its own,
 * so the ledger is read after every transaction counting usage has
 * committed). Commits at once; takes no other lock another transaction waits
 * on.
 */
async function ensureCounters(db: DbHandle, slots: readonly { organisationId: string; slot: AdmissionSlot }[]): Promise<void> {
  const byOrganisation = new Map<string, AdmissionSlot[]>();
  for (const { organisationId, slot } of slots) byOrganisation.set(organisationId, [...(byOrganisation.get(organisationId) ?? []), slot]);
  for (const [organisationId, missing] of byOrganisation) {
    await db.rawTransaction(async (tx) => {
      const exec = rawTxExec(tx);
      await exec(COUNTING_LOCK_EXCLUSIVE, [organisationId]);
      for (const s of missing) {
        const usage = windowUsageSql(organisationId, s.rule, s.slot, 5);
        await exec(
          `insert into budget_usage (budget_id, window_key, organisation_id, committed, resets_at)
           select $1::text, $2::text, $3::text, coalesce(${usage.text}, 0), $4::timestamptz
            where not exists (select 1 from budget_usage where budget_id = $1::text and window_key = $2::text)
           on conflict do nothing`,
          [s.slot.budgetId, s.slot.windowKey, organisationId, s.slot.resetsAt, ...usage.params],
        );
      }
    });
  }
}

function slotKey(s: AdmissionSlot): string {
  return `${s.slot.budgetId}\u0000${s.slot.windowKey}`;
}

function counterKey(r: { budget_id: string; window_key: string }): string {
  return `${r.budget_id}\u0000${r.window_key}`;
}

/**
 * The call's projection, read back from its slots, which must name each
 * counter once, with non-negative amounts and one amount per metric (as
 * `admissionSlots` gives them): the engine checks admission on a projection.
 */
function projectionOf(slots: readonly AdmissionSlot[]): CallProjection {
  const seen = new Set<string>();
  const per: Partial<Record<BudgetMetric, bigint>> = {};
  for (const s of slots) {
    if (s.amount < 0n) throw new RangeError(`negative amount for budget ${s.slot.budgetId}`);
    if (seen.has(slotKey(s))) throw new RangeError(`budget ${s.slot.budgetId} window ${s.slot.windowKey} named twice`);
    seen.add(slotKey(s));
    const held = per[s.rule.metric];
    if (held !== undefined && held !== s.amount) throw new RangeError(`two different ${s.rule.metric} amounts for one call`);
    per[s.rule.metric] = s.amount;
  }
  return { costNano: per.cost ?? 0n, tokens: per.tokens ?? 0n, requests: per.requests ?? 0n };
}

/**
 * `alerted_level` is a float4: 0.95 reads back as 0.949999988. A threshold
 * counts as already sent within a millionth.
 */
function alerted(level: number): number {
  return level + 1e-6;
}

/** Collects crossings and returns the new alerted level. */
function raise(level: number, crossed: readonly ThresholdCrossing[], into: ThresholdCrossing[]): number {
  into.push(...crossed);
  return crossed.reduce((max, c) => Math.max(max, c.threshold), level);
}
