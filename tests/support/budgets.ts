/** Budget fixtures shared by the usage tests. */
import type { DbHandle } from '@/db/client';
import { invalidateBudgetRules, loadBudgetRules, reserve } from '@/lib/server/governance/quota-store';
import { admissionSlots } from '@/lib/server/governance/slots';

/**
 * An all-time cost cap on one API key, with its counter open (a call admitted
 * against it), so spend recorded later lands on that counter. Returns a
 * reader of the counter's committed nano-dollars.
 */
export async function openKeyCostCounter(
  db: DbHandle,
  key: { organisationId: string; id: string; departmentId: string | null; projectId: string | null },
  budgetId: string,
): Promise<() => Promise<bigint>> {
  await db.query(
    `insert into budgets (id, organisation_id, name, scope_type, scope_id, "window", metric, limit_value, enforcement, alert_thresholds)
     values ($1, $2, $1, 'api_key', $3, 'total', 'cost', 1000000000000, 'hard', '[]'::jsonb)`,
    [budgetId, key.organisationId, key.id],
  );
  invalidateBudgetRules();
  const rules = (await loadBudgetRules(db, key.organisationId)).filter((r) => r.id === budgetId);
  const attribution = { organisationId: key.organisationId, departmentId: key.departmentId, projectId: key.projectId, userId: null, apiKeyId: key.id, sessionId: null };
  const opened = await reserve(db, {
    organisationId: key.organisationId,
    requestId: `req_open_${budgetId}`,
    slots: admissionSlots(rules, attribution, { costNano: 0n, tokens: 0n, requests: 0n }, new Date()),
    ttlMs: 60_000,
    now: new Date(),
  });
  if (!opened.ok) throw new Error(`could not open the counter of ${budgetId}`);
  return async () => BigInt((await db.query<{ c: string }>('select committed::text as c from budget_usage where budget_id = $1', [budgetId]))[0]!.c);
}

/** A trigger on one budget's counter rows running `body` (plpgsql) before each `event`; returns the undo. */
async function counterTrigger(db: DbHandle, budgetId: string, event: 'insert' | 'update', body: string): Promise<() => Promise<void>> {
  const name = `${event}_${budgetId.replace(/\W/g, '_')}`;
  await db.query(`create function ${name}() returns trigger language plpgsql as $$ begin ${body} end $$`);
  await db.query(`create trigger ${name} before ${event} on budget_usage for each row when (new.budget_id = '${budgetId}') execute function ${name}()`);
  return async () => {
    await db.query(`drop trigger ${name} on budget_usage`);
    await db.query(`drop function ${name}()`);
  };
}

/**
 * Makes every update of one budget's counters fail, as a database fault
 * between the ledger write and its counting would. Returns the undo.
 */
export function failCounterUpdates(db: DbHandle, budgetId: string): Promise<() => Promise<void>> {
  return counterTrigger(db, budgetId, 'update', "raise exception 'counter offline';");
}

/**
 * Makes opening one budget's counter slow: the trigger sleeps after the
 * counter's opening value has been read from the ledger and before its row
 * is written, widening the moment a concurrent ledger write could fall
 * between the two. Returns the undo.
 */
export function slowCounterOpening(db: DbHandle, budgetId: string, seconds: number): Promise<() => Promise<void>> {
  return counterTrigger(db, budgetId, 'insert', `perform pg_sleep(${seconds}); return new;`);
}
