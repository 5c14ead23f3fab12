/**
 * Local leases for hot keys. An instance reserves a chunk of headroom (room
 * for N calls like the one asking) as one ordinary reservation, then admits
 * calls with the same counters in process, without a database round trip,
 * while they fit in what the lease has left. Settling returns the unused part
 * of a call's hold to the lease and adds its actual use to the lease's spend.
 * A lease stops admitting after `maxAgeMs` or when a call no longer fits;
 * once its calls in flight are done it settles its reservation with the
 * total actual spend, so the counters end exact. N starts at `chunkCalls`
 * and doubles while leases run out within half their age (up to
 * `maxChunkCalls`); it halves when a lease ages out.
 *
 * Bounds. Overshoot of a hard limit: none while instances run, because every
 * locally admitted call sits inside a lease that is itself a reservation
 * admitted by `reserve` (as long as actuals do not exceed projections). If an
 * instance dies, its leases expire and their holds are released, and the
 * spend of calls admitted under them (which is in the ledger) is missing
 * from that window's counter: the window can then overshoot by at most one
 * lease (<= `maxChunkCalls` calls' worth) per key the dead instance held.
 * The price: headroom leased to one instance is not available to another,
 * which may be refused a call the budget could still take (at most one lease
 * per key per other instance). A large chunk that no longer fits is retried
 * at `chunkCalls`; when that does not fit either, the key falls back to exact
 * per-call admission for `maxAgeMs`, so near a limit behaviour is that of
 * `reserve` itself. Threshold alerts count the whole lease as held, so they
 * can fire up to a lease early.
 */
import type { DbHandle } from '@/db/client';
import type { BudgetRefusal, CallProjection, ThresholdCrossing } from '@/lib/engine/governance/types';
import { release, reserve, settle, type ReserveInput } from './quota-store';
import { LEASE_CHUNK_CALLS, LEASE_MAX_AGE_MS, LEASE_MAX_CHUNK_CALLS, projectionFor } from '@/lib/engine/governance';
import type { AdmissionSlot } from './slots';

export interface LeaseOptions {
  /** A first lease holds room for this many calls like the one that asked for it (default 16). */
  chunkCalls?: number;
  /** Leases that run out fast double in size, up to this many calls (default 16 x chunkCalls). */
  maxChunkCalls?: number;
  /** A lease admits for this long, then drains (default 5 s). */
  maxAgeMs?: number;
  /** Lease age is measured on this clock (default `Date.now`). */
  clock?: () => number;
  /** Alert thresholds crossed when a call or a lease settles (committed spend), which no caller is waiting for. */
  onCrossings?: (crossings: ThresholdCrossing[]) => void;
}

interface Lease {
  key: string;
  createdAt: number;
  reservationId: string;
  /** Room left per counter. */
  remaining: Map<string, bigint>;
  /** Actual use of settled calls, per metric. */
  spent: { costNano: bigint; tokens: bigint; requests: bigint };
  inflight: number;
  draining: boolean;
  usableUntil: number;
}

/** What a call was admitted under: a lease, or its own reservation. */
export interface LeaseTicket {
  readonly lease: Lease | null;
  readonly reservationId: string | null;
  readonly slots: readonly AdmissionSlot[];
  done: boolean;
}

export type LeaseAdmission = { ok: true; ticket: LeaseTicket } | { ok: false; refusal: BudgetRefusal };

const counterKey = (s: AdmissionSlot) => `${s.slot.budgetId}\u0000${s.slot.windowKey}`;

export class LeaseAdmitter {
  private readonly leases = new Map<string, Lease>();
  private readonly acquiring = new Map<string, Promise<void>>();
  /** Keys whose last chunk was refused: exact admission until this time. */
  private readonly exactUntil = new Map<string, number>();
  private readonly closing = new Set<Promise<void>>();
  private readonly failures: unknown[] = [];
  /** Current lease size per key, in calls (slow start: doubles while leases run out within half their age). */
  private readonly chunkSize = new Map<string, number>();
  private readonly chunkCalls: number;
  private readonly maxChunkCalls: number;
  private readonly maxAgeMs: number;
  private readonly clock: () => number;
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(
    private readonly db: DbHandle,
    private readonly options: LeaseOptions = {},
  ) {
    this.chunkCalls = options.chunkCalls ?? LEASE_CHUNK_CALLS;
    this.maxChunkCalls = Math.max(this.chunkCalls, options.maxChunkCalls ?? (LEASE_MAX_CHUNK_CALLS / LEASE_CHUNK_CALLS) * this.chunkCalls);
    this.maxAgeMs = options.maxAgeMs ?? LEASE_MAX_AGE_MS;
    this.clock = options.clock ?? Date.now;
    // Idle leases give their room back within about two lease ages.
    this.timer = setInterval(() => this.sweep(), this.maxAgeMs);
    this.timer.unref();
  }

  async admit(input: ReserveInput): Promise<LeaseAdmission> {
    const slots = input.slots;
    if (slots.length === 0 || new Set(slots.map(counterKey)).size !== slots.length) return this.exact(input);
    const key = slots.map(counterKey).sort().join('\u0001');
    for (let attempt = 0; attempt < 3; attempt++) {
      const at = this.clock();
      const lease = this.leases.get(key);
      if (lease && at >= lease.usableUntil) this.drain(lease, 'aged');
      else if (lease && this.take(lease, slots)) return { ok: true, ticket: { lease, reservationId: null, slots, done: false } };
      else if (lease) this.drain(lease, 'spent');
      if ((this.exactUntil.get(key) ?? 0) > at) break;
      const pending = this.acquiring.get(key);
      if (pending) {
        await pending;
        continue;
      }
      const acquisition = this.acquire(key, input);
      this.acquiring.set(key, acquisition);
      try {
        await acquisition;
      } finally {
        this.acquiring.delete(key);
      }
      const fresh = this.leases.get(key);
      if (fresh && this.take(fresh, slots)) return { ok: true, ticket: { lease: fresh, reservationId: null, slots, done: false } };
    }
    return this.exact(input);
  }

  /** Settles a call: on a lease, locally; otherwise its own reservation. */
  async settle(ticket: LeaseTicket, actual: CallProjection): Promise<void> {
    if (ticket.done) return;
    ticket.done = true;
    if (!ticket.lease) {
      const result = await settle(this.db, ticket.reservationId!, actual);
      if (result.crossings.length > 0) this.options.onCrossings?.(result.crossings);
      return;
    }
    const lease = ticket.lease;
    for (const s of ticket.slots) {
      const key = counterKey(s);
      lease.remaining.set(key, lease.remaining.get(key)! + s.amount - projectionFor(s.rule.metric, actual));
    }
    lease.spent.costNano += actual.costNano;
    lease.spent.tokens += actual.tokens;
    lease.spent.requests += actual.requests;
    this.finished(lease);
  }

  /** Releases a failed call's hold: on a lease, the room goes back to it. */
  async release(ticket: LeaseTicket): Promise<void> {
    if (ticket.done) return;
    ticket.done = true;
    if (!ticket.lease) {
      await release(this.db, ticket.reservationId!);
      return;
    }
    const lease = ticket.lease;
    for (const s of ticket.slots) {
      const key = counterKey(s);
      lease.remaining.set(key, lease.remaining.get(key)! + s.amount);
    }
    this.finished(lease);
  }

  /** Stops idle leases that have aged out (call periodically), returning their unused room. */
  sweep(): void {
    const at = this.clock();
    for (const lease of [...this.leases.values()]) if (at >= lease.usableUntil) this.drain(lease, 'aged');
  }

  /**
   * Stops every lease; resolves once those without calls in flight have
   * settled (a lease with calls in flight settles when its last call does).
   * Throws the first error any lease settlement met.
   */
  async close(): Promise<void> {
    clearInterval(this.timer);
    for (const lease of [...this.leases.values()]) this.drain(lease, 'closed');
    while (this.closing.size > 0) await Promise.all([...this.closing]);
    if (this.failures.length > 0) throw this.failures[0];
  }

  /** Leases currently admitting (for tests and metrics). */
  get openLeases(): number {
    return this.leases.size;
  }

  private async exact(input: ReserveInput): Promise<LeaseAdmission> {
    const result = await reserve(this.db, input);
    if (!result.ok) return result;
    return { ok: true, ticket: { lease: null, reservationId: result.reservationId, slots: input.slots, done: false } };
  }

  /** Reserves a lease for the key; a refused large chunk is retried at the first size, a refused first size switches the key to exact admission. */
  private async acquire(key: string, input: ReserveInput): Promise<void> {
    for (;;) {
      const calls = this.chunkSize.get(key) ?? this.chunkCalls;
      const slots = input.slots.map((s) => ({ ...s, amount: s.amount * BigInt(calls) }));
      const result = await reserve(this.db, { ...input, requestId: `lease:${input.requestId}`, slots, ttlMs: input.ttlMs + this.maxAgeMs });
      if (result.ok) {
        this.open(key, result.reservationId, slots);
        return;
      }
      this.chunkSize.delete(key);
      if (calls <= this.chunkCalls) {
        this.exactUntil.set(key, this.clock() + this.maxAgeMs);
        return;
      }
    }
  }

  private open(key: string, reservationId: string, slots: readonly AdmissionSlot[]): void {
    this.leases.set(key, {
      key,
      createdAt: this.clock(),
      reservationId,
      remaining: new Map(slots.map((s) => [counterKey(s), s.amount])),
      spent: { costNano: 0n, tokens: 0n, requests: 0n },
      inflight: 0,
      draining: false,
      usableUntil: this.clock() + this.maxAgeMs,
    });
  }

  private take(lease: Lease, slots: readonly AdmissionSlot[]): boolean {
    if (lease.draining) return false;
    if (!slots.every((s) => (lease.remaining.get(counterKey(s)) ?? -1n) >= s.amount)) return false;
    for (const s of slots) lease.remaining.set(counterKey(s), lease.remaining.get(counterKey(s))! - s.amount);
    lease.inflight++;
    return true;
  }

  private drain(lease: Lease, why: 'spent' | 'aged' | 'closed'): void {
    if (this.leases.get(lease.key) === lease) this.leases.delete(lease.key);
    if (lease.draining) return;
    lease.draining = true;
    const size = this.chunkSize.get(lease.key) ?? this.chunkCalls;
    if (why === 'spent' && this.clock() - lease.createdAt < this.maxAgeMs / 2) this.chunkSize.set(lease.key, Math.min(size * 2, this.maxChunkCalls));
    if (why === 'aged') this.chunkSize.set(lease.key, Math.max(this.chunkCalls, Math.floor(size / 2)));
    if (lease.inflight === 0) this.settleLease(lease);
  }

  private finished(lease: Lease): void {
    lease.inflight--;
    if (lease.draining && lease.inflight === 0) this.settleLease(lease);
  }

  /** Settles the lease's reservation with its calls' total actual use. If that fails, the hold expires and the sweep releases it. */
  private settleLease(lease: Lease): void {
    const done: Promise<void> = settle(this.db, lease.reservationId, lease.spent)
      .then((result) => {
        if (result.crossings.length > 0) this.options.onCrossings?.(result.crossings);
      })
      .catch((error: unknown) => {
        this.failures.push(error);
      })
      .finally(() => this.closing.delete(done));
    this.closing.add(done);
  }
}
