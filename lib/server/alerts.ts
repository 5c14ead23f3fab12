/**
 * Alerts: stored first, then delivered to a Slack-compatible webhook
 * (`TOLLGATE_ALERT_WEBHOOK_URL`) without ever blocking the caller.
 *
 * - `raiseAlert` inserts the row (one per dedupe key: `on conflict do
 *   nothing`) and nudges the background drain; with no webhook configured the
 *   alert is only stored.
 * - The drain picks undelivered rows whose `next_attempt_at` is due, claims
 *   each with a lease (so two instances never post the same alert at once),
 *   posts it with a timeout, and records the outcome in the row: delivered, or
 *   the error and the next attempt after a backoff of 1 s, 5 s, 30 s, 2 min,
 *   10 min, after which it gives up. Everything lives in the row, so a restart
 *   resumes where the last process stopped.
 * - Alerts never carry secrets: detail fields named like credentials are
 *   dropped and anything shaped like an API key is cut to its prefix; the
 *   webhook URL (itself a secret for Slack) is never written to `last_error`.
 */
import { and, desc, eq, isNotNull, isNull, lt, lte, sql, type SQL } from 'drizzle-orm';
import type { DbHandle } from '@/db/client';
import { alerts, type Alert } from '@/db/schema';
import type { AlertKind } from '@/lib/engine/enums';
import type { Executor } from './governance-admin/shared';

export type AlertSeverity = Alert['severity'];

export interface AlertInput {
  organisationId: string;
  kind: AlertKind;
  severity: AlertSeverity;
  message: string;
  details?: Record<string, unknown>;
  /** One alert per key and organisation, e.g. `budget:<id>:<window>:0.8`. */
  dedupeKey?: string | null;
}

/** Waits between failed attempts; after the last one the alert stays stored and undelivered. */
export const ALERT_BACKOFF_MS = [1_000, 5_000, 30_000, 120_000, 600_000] as const;
export const MAX_ALERT_ATTEMPTS = ALERT_BACKOFF_MS.length + 1;
const ATTEMPT_TIMEOUT_MS = 5_000;
/** How long a claimed alert is held by the instance posting it. */
const CLAIM_LEASE_MS = ATTEMPT_TIMEOUT_MS + 5_000;
const DRAIN_INTERVAL_MS = 5_000;
const DRAIN_BATCH = 50;

export function alertWebhookUrl(): string | null {
  return process.env.TOLLGATE_ALERT_WEBHOOK_URL?.trim() || null;
}

const SECRET_FIELD = /secret|password|passwd|token|authorization|credential|cookie|^key$|api_?key$|hash/i;
const KEY_SHAPED = /\btg_[A-Za-z0-9]{12,}/g;

/** Details with anything secret-looking removed: credential-named fields dropped, API keys cut to their visible prefix. */
export function scrubDetails(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.replace(KEY_SHAPED, (k) => `${k.slice(0, 11)}…`);
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return value;
  if (depth > 4) return '[nested]';
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => scrubDetails(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (!SECRET_FIELD.test(k)) out[k] = scrubDetails(v, depth + 1);
  return out;
}

/**
 * Writes the alert in the given transaction or database. Returns the new id,
 * or null when an alert with the same dedupe key exists. Call
 * `kickAlertDelivery` after the transaction commits.
 */
export async function recordAlert(exec: Executor, input: AlertInput, now: Date = new Date()): Promise<number | null> {
  const [row] = await exec
    .insert(alerts)
    .values({
      organisationId: input.organisationId,
      kind: input.kind,
      severity: input.severity,
      message: scrubDetails(input.message.slice(0, 2_000)) as string,
      details: scrubDetails(input.details ?? {}) as Record<string, unknown>,
      dedupeKey: input.dedupeKey ?? null,
      createdAt: now,
      nextAttemptAt: alertWebhookUrl() ? now : null,
    })
    .onConflictDoNothing()
    .returning({ id: alerts.id });
  return row?.id ?? null;
}

/**
 * Stores an alert and schedules its delivery; never waits for the webhook.
 * `deliver: false` stores it due for delivery but leaves it to the next drain
 * (tests drive `drainAlerts` themselves).
 */
export async function raiseAlert(db: DbHandle, input: AlertInput, options: { now?: Date; deliver?: boolean } = {}): Promise<{ id: number | null; created: boolean }> {
  const id = await recordAlert(db.db, input, options.now);
  if (id !== null && options.deliver !== false) kickAlertDelivery(db);
  return { id, created: id !== null };
}

// --- delivery

export interface DeliveryOptions {
  /** Defaults to TOLLGATE_ALERT_WEBHOOK_URL; null or unset: nothing is sent. */
  url?: string | null;
  now?: Date;
  timeoutMs?: number;
  fetch?: typeof fetch;
  limit?: number;
}

export interface DrainResult {
  attempted: number;
  delivered: number;
  failed: number;
}

const mrkdwn = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function fieldText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

/** The Slack-compatible body: `text` for any webhook, `blocks` for Slack's layout (message, up to ten key fields, a footer). */
export function webhookPayload(alert: Pick<Alert, 'id' | 'organisationId' | 'kind' | 'severity' | 'message' | 'details' | 'createdAt'>) {
  const text = `[${alert.severity}] ${alert.kind}: ${alert.message}`;
  const fields = Object.entries(alert.details)
    .map(([key, value]) => [key, fieldText(value)] as const)
    .filter((entry): entry is readonly [string, string] => entry[1] !== null)
    .slice(0, 10)
    .map(([key, value]) => ({ type: 'mrkdwn', text: `*${mrkdwn(key)}*\n${mrkdwn(value)}` }));
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*[${alert.severity}] ${mrkdwn(alert.kind)}*\n${mrkdwn(alert.message)}` } },
      ...(fields.length ? [{ type: 'section', fields }] : []),
      { type: 'context', elements: [{ type: 'mrkdwn', text: `Tollgate alert #${alert.id} · ${mrkdwn(alert.organisationId)} · ${alert.createdAt.toISOString()}` }] },
    ],
  };
}

/** A failure described without the URL (a Slack webhook URL is a secret). */
function describeFailure(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'timed out';
    const cause = (error as { cause?: { code?: unknown } }).cause;
    const code = cause && typeof cause.code === 'string' ? ` (${cause.code})` : '';
    return `${error.name}${code}`;
  }
  return 'delivery failed';
}

async function post(url: string, body: unknown, options: DeliveryOptions): Promise<string | null> {
  try {
    const response = await (options.fetch ?? fetch)(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(options.timeoutMs ?? ATTEMPT_TIMEOUT_MS),
    });
    await response.body?.cancel().catch(() => {});
    return response.ok ? null : `HTTP ${response.status}`;
  } catch (error) {
    return describeFailure(error);
  }
}

/** Claims one due alert (a lease against other instances), posts it, and records the outcome. */
async function deliverOne(db: DbHandle, id: number, url: string, options: DeliveryOptions): Promise<boolean | null> {
  const now = options.now ?? new Date();
  const [claimed] = await db.db
    .update(alerts)
    .set({ attempts: sql`${alerts.attempts} + 1`, nextAttemptAt: new Date(now.getTime() + CLAIM_LEASE_MS) })
    .where(and(eq(alerts.id, id), isNull(alerts.deliveredAt), isNotNull(alerts.nextAttemptAt), lte(alerts.nextAttemptAt, now)))
    .returning();
  if (!claimed) return null;
  const failure = await post(url, webhookPayload(claimed), options);
  const done = options.now ?? new Date();
  if (failure === null) {
    await db.db.update(alerts).set({ deliveredAt: done, nextAttemptAt: null, lastError: null }).where(eq(alerts.id, id));
    return true;
  }
  const wait = ALERT_BACKOFF_MS[claimed.attempts - 1];
  await db.db
    .update(alerts)
    .set({ lastError: failure, nextAttemptAt: wait === undefined ? null : new Date(done.getTime() + wait) })
    .where(eq(alerts.id, id));
  return false;
}

/** Delivers every alert that is due now (oldest first, up to `limit`). */
export async function drainAlerts(db: DbHandle, options: DeliveryOptions = {}): Promise<DrainResult> {
  const url = options.url === undefined ? alertWebhookUrl() : options.url;
  const result: DrainResult = { attempted: 0, delivered: 0, failed: 0 };
  if (!url) return result;
  const now = options.now ?? new Date();
  const due = await db.db
    .select({ id: alerts.id })
    .from(alerts)
    .where(and(isNull(alerts.deliveredAt), isNotNull(alerts.nextAttemptAt), lte(alerts.nextAttemptAt, now), lt(alerts.attempts, MAX_ALERT_ATTEMPTS)))
    .orderBy(alerts.nextAttemptAt, alerts.id)
    .limit(options.limit ?? DRAIN_BATCH);
  for (const { id } of due) {
    const outcome = await deliverOne(db, id, url, { ...options, now });
    if (outcome === null) continue;
    result.attempted += 1;
    if (outcome) result.delivered += 1;
    else result.failed += 1;
  }
  return result;
}

interface DrainState {
  db: DbHandle;
  timer: ReturnType<typeof setInterval>;
  running: Promise<unknown> | null;
  kicked: ReturnType<typeof setImmediate> | null;
}

const globalForAlerts = globalThis as unknown as { __tollgateAlertDrain?: DrainState };

function runDrain(state: DrainState): void {
  if (state.running) return;
  state.running = drainAlerts(state.db)
    .catch((error: unknown) => console.error('[tollgate] alert delivery failed', error instanceof Error ? error.name : 'error'))
    .finally(() => {
      state.running = null;
    });
}

/**
 * Starts the process's delivery timer (idempotent; the timer does not keep
 * the process alive). Call it at boot so alerts left undelivered by a
 * previous process are resumed; `raiseAlert` also starts it on first use.
 */
export function startAlertDrain(db: DbHandle, intervalMs = DRAIN_INTERVAL_MS): void {
  if (globalForAlerts.__tollgateAlertDrain || !alertWebhookUrl()) return;
  const state: DrainState = { db, timer: setInterval(() => runDrain(state), intervalMs), running: null, kicked: null };
  state.timer.unref?.();
  globalForAlerts.__tollgateAlertDrain = state;
}

export function stopAlertDrain(): void {
  const state = globalForAlerts.__tollgateAlertDrain;
  if (!state) return;
  clearInterval(state.timer);
  if (state.kicked) clearImmediate(state.kicked);
  globalForAlerts.__tollgateAlertDrain = undefined;
}

/** Delivers soon, off the caller's path (after the current I/O turn). */
export function kickAlertDelivery(db: DbHandle): void {
  if (!alertWebhookUrl()) return;
  startAlertDrain(db);
  const state = globalForAlerts.__tollgateAlertDrain;
  if (!state || state.kicked) return;
  state.kicked = setImmediate(() => {
    state.kicked = null;
    runDrain(state);
  });
}

// --- reading

export interface AlertView {
  id: number;
  kind: AlertKind;
  severity: AlertSeverity;
  message: string;
  details: Record<string, unknown>;
  created_at: string;
  delivery: { status: 'delivered' | 'pending' | 'failed' | 'not_configured'; attempts: number; delivered_at: string | null; next_attempt_at: string | null; last_error: string | null };
}

function view(row: Alert): AlertView {
  const status = row.deliveredAt ? 'delivered' : row.nextAttemptAt ? 'pending' : row.attempts > 0 ? 'failed' : 'not_configured';
  return {
    id: row.id,
    kind: row.kind,
    severity: row.severity,
    message: row.message,
    details: row.details,
    created_at: row.createdAt.toISOString(),
    delivery: {
      status,
      attempts: row.attempts,
      delivered_at: row.deliveredAt?.toISOString() ?? null,
      next_attempt_at: row.nextAttemptAt?.toISOString() ?? null,
      last_error: row.lastError,
    },
  };
}

export async function listAlerts(
  db: DbHandle,
  organisationId: string,
  filter: { kind?: AlertKind; severity?: AlertSeverity; before?: number; limit?: number } = {},
): Promise<{ data: AlertView[]; next_before: number | null }> {
  const limit = filter.limit ?? 50;
  const conditions: SQL[] = [eq(alerts.organisationId, organisationId)];
  if (filter.kind) conditions.push(eq(alerts.kind, filter.kind));
  if (filter.severity) conditions.push(eq(alerts.severity, filter.severity));
  if (filter.before !== undefined) conditions.push(lt(alerts.id, filter.before));
  const rows = await db.db
    .select()
    .from(alerts)
    .where(and(...conditions))
    .orderBy(desc(alerts.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  return { data: page.map(view), next_before: rows.length > limit ? page[page.length - 1]!.id : null };
}
