import { describe, expect, it } from 'vitest';
import { SignInThrottle } from '@/lib/auth/sign-in-throttle';

const EMAIL = 'cfo@example.com';

/** Fails `n` times, each at the first moment the throttle allows, starting at `from`; returns when the last failed. */
function failAsAllowed(throttle: SignInThrottle, n: number, from: number): number {
  let now = from;
  for (let i = 0; i < n; i++) {
    now += throttle.waitMs(EMAIL, now);
    throttle.failed(EMAIL, now);
  }
  return now;
}

describe('SignInThrottle', () => {
  it('lets five wrong passwords through at once, then spaces attempts 1 s, 2 s, 4 s... apart, up to a minute', () => {
    const throttle = new SignInThrottle();
    for (let i = 0; i < 5; i++) {
      expect(throttle.waitMs(EMAIL, 1_000)).toBe(0);
      throttle.failed(EMAIL, 1_000);
    }
    expect(throttle.waitMs(EMAIL, 1_000)).toBe(1_000);
    expect(throttle.waitMs(EMAIL, 1_600)).toBe(400);
    expect(throttle.waitMs(EMAIL, 2_000)).toBe(0);
    throttle.failed(EMAIL, 2_000);
    expect(throttle.waitMs(EMAIL, 2_000)).toBe(2_000);
    const last = failAsAllowed(throttle, 10, 2_000);
    expect(throttle.waitMs(EMAIL, last)).toBe(60_000);
  });

  it('keeps other emails apart, and forgets an email once it signs in', () => {
    const throttle = new SignInThrottle();
    failAsAllowed(throttle, 6, 0);
    expect(throttle.waitMs(EMAIL, 0)).toBeGreaterThan(0);
    expect(throttle.waitMs('ops@example.com', 0)).toBe(0);
    throttle.succeeded(EMAIL);
    expect(throttle.waitMs(EMAIL, 0)).toBe(0);
  });

  it('starts a fresh window once failures are 15 minutes old and the last wait is over', () => {
    const throttle = new SignInThrottle();
    const last = failAsAllowed(throttle, 8, 0);
    expect(throttle.waitMs(EMAIL, last + 1)).toBeGreaterThan(0);
    const later = 15 * 60_000 + last;
    expect(throttle.waitMs(EMAIL, later)).toBe(0);
    // The old failures no longer count: five more are free again.
    for (let i = 0; i < 5; i++) throttle.failed(EMAIL, later);
    expect(throttle.waitMs(EMAIL, later)).toBe(1_000);
  });

  it('an attacker who keeps failing keeps the wait at its longest, and the account opens after that wait', () => {
    const throttle = new SignInThrottle();
    let now = failAsAllowed(throttle, 12, 0);
    for (let minute = 0; minute < 30; minute++) now = failAsAllowed(throttle, 1, now);
    expect(throttle.waitMs(EMAIL, now)).toBe(60_000);
    expect(throttle.waitMs(EMAIL, now + 60_000)).toBe(0);
  });

  it('remembers a bounded number of emails, forgetting the least recently failed first', () => {
    const throttle = new SignInThrottle({ maxEntries: 3, freeFailures: 1 });
    for (const email of ['a@x', 'b@x', 'c@x']) throttle.failed(email, 0);
    throttle.failed('a@x', 0);
    throttle.failed('d@x', 0);
    expect(throttle.waitMs('b@x', 0)).toBe(0);
    expect(throttle.waitMs('a@x', 0)).toBeGreaterThan(0);
    expect(throttle.waitMs('c@x', 0)).toBeGreaterThan(0);
  });
});
