/**
 * Where sign-in may send the browser afterwards: a path on this site, never
 * another origin. Browsers forgive a lot in a URL (a backslash reads as a
 * slash, tabs and newlines are dropped), so `/\evil.com` or `/<tab>/evil.com`
 * would leave the site; anything that is not plainly a same-origin path
 * falls back to `/`. Pure: used by the sign-in page and its form.
 */
const BASE = 'http://x.invalid';
const FALLBACK = '/';
/** Backslashes and ASCII control characters, also percent-encoded (a decoded `%5C` is a backslash again). */
const UNSAFE = /[\\\u0000-\u001f\u007f]|%5c|%[01][0-9a-f]|%7f/i;

export function safeCallbackUrl(value: string | null | undefined): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || UNSAFE.test(value)) return FALLBACK;
  let url: URL;
  try {
    url = new URL(value, BASE);
  } catch {
    return FALLBACK;
  }
  // The parser's own reading must agree: same origin, and a path that is not `//host` once normalised.
  if (url.origin !== BASE || !url.pathname.startsWith('/') || url.pathname.startsWith('//')) return FALLBACK;
  return `${url.pathname}${url.search}${url.hash}`;
}
