import { describe, expect, it } from 'vitest';
import { safeCallbackUrl } from '@/lib/auth/callback-url';

const SITE = 'https://tollgate.example.com';

describe('sign-in callback URL', () => {
  it.each([
    ['/overview', '/overview'],
    ['/departments/dep_claims?month=2026-01#projects', '/departments/dep_claims?month=2026-01#projects'],
    ['/inbox?tab=approvals&q=a%2Fb', '/inbox?tab=approvals&q=a%2Fb'],
    ['/', '/'],
  ])('keeps the same-site path %s', (value, expected) => {
    expect(safeCallbackUrl(value)).toBe(expected);
  });

  // Each as the page receives it: the query string `?callbackUrl=/%5Cevil.com` arrives decoded, as `/\evil.com`.
  it.each([
    '/\\evil.com',
    '/%5Cevil.com',
    '/%5cevil.com',
    '/\\/evil.com',
    '/\t/evil.com',
    '/%09/evil.com',
    '/\n/evil.com',
    '/\r\n/evil.com',
    '/\u0000/evil.com',
    '//evil.com',
    '///evil.com',
    '/.//evil.com',
    '/..//evil.com',
    '/%2e%2e//evil.com',
    'https://evil.com/',
    'http:evil.com',
    'javascript:alert(1)',
    'evil.com',
    '',
  ])('refuses %j and falls back to /', (value) => {
    expect(safeCallbackUrl(value)).toBe('/');
  });

  it('refuses what a browser would resolve to another origin', () => {
    for (const value of ['/\\evil.com', '/\t/evil.com', '/\n/evil.com', '//evil.com']) {
      expect(new URL(value, SITE).origin).not.toBe(SITE);
      expect(safeCallbackUrl(value)).toBe('/');
    }
  });

  it('falls back to / when there is none', () => {
    expect(safeCallbackUrl(undefined)).toBe('/');
    expect(safeCallbackUrl(null)).toBe('/');
  });

  it('answers only paths that stay on the site, whatever it is given', () => {
    const samples = ['/a', '/a/../b', '/%2F%2Fevil.com', '/a?next=//evil.com', '/a#//evil.com', '/ünïcode', '/a b'];
    for (const value of samples) {
      const safe = safeCallbackUrl(value);
      expect(safe.startsWith('/') && !safe.startsWith('//'), safe).toBe(true);
      expect(new URL(safe, SITE).origin).toBe(SITE);
    }
  });
});
