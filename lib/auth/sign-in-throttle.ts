/**
 * Password guessing, slowed per account: the first `freeFailures` wrong
 * passwords for an email within `windowMs` cost nothing extra; after that
 * each further attempt must wait, 1 s after the fifth failure and doubling
 * with each failure up to `maxDelayMs`. An attempt made while waiting is
 * refused without its password being checked, and is not itself a failure,
 * so the person can always get in once the wait is over. A success clears
 * the email's record.
 *
 * Every email is treated alike, with or without an account, so the throttle
 * says nothing about which emails exist. It lives in process memory: each
 * app instance keeps its own count (an attacker spread over N instances gets
 * N times the guesses, still a few a minute at most).
 */

export interface SignInThrottleOptions {
  /** Wrong passwords allowed within the window before attempts are spaced out (default 5). */
  freeFailures?: number;
  /** How long a failure counts (default 15 minutes). */
  windowMs?: number;
  /** The longest wait between attempts (default 60 s). */
  maxDelayMs?: number;
  /** Emails remembered at most; the oldest is forgotten first (default 10,000). */
  maxEntries?: number;
}

interface Failures {
  failures: number;
  firstAt: number;
  lastAt: number;
}

export class SignInThrottle {
  private readonly records = new Map<string, Failures>();
  private readonly freeFailures: number;
  private readonly windowMs: number;
  private readonly maxDelayMs: number;
  private readonly maxEntries: number;

  constructor(options: SignInThrottleOptions = {}) {
    this.freeFailures = options.freeFailures ?? 5;
    this.windowMs = options.windowMs ?? 15 * 60_000;
    this.maxDelayMs = options.maxDelayMs ?? 60_000;
    this.maxEntries = options.maxEntries ?? 10_000;
  }

  /** Milliseconds until the email may try again; 0 when it may try now. */
  waitMs(email: string, now: number): number {
    const record = this.current(email, now);
    if (!record || record.failures < this.freeFailures) return 0;
    const delay = Math.min(this.maxDelayMs, 1_000 * 2 ** (record.failures - this.freeFailures));
    return Math.max(0, record.lastAt + delay - now);
  }

  failed(email: string, now: number): void {
    const record = this.current(email, now);
    if (record) {
      record.failures += 1;
      record.lastAt = now;
      // Most recently failed last: the Map's order is the order to forget in.
      this.records.delete(email);
      this.records.set(email, record);
      return;
    }
    if (this.records.size >= this.maxEntries) this.records.delete(this.records.keys().next().value!);
    this.records.set(email, { failures: 1, firstAt: now, lastAt: now });
  }

  succeeded(email: string): void {
    this.records.delete(email);
  }

  /** The email's record, if its failures still count (a window starts at its first failure). */
  private current(email: string, now: number): Failures | undefined {
    const record = this.records.get(email);
    if (record && now - record.firstAt >= this.windowMs && now - record.lastAt >= this.maxDelayMs) {
      this.records.delete(email);
      return undefined;
    }
    return record;
  }
}
