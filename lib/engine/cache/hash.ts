/**
 * Non-cryptographic string hashes. The cache key is not a security boundary
 * (the scope is compared as text, not only by hash), so speed and stability
 * across runtimes are what matter: the same string hashes the same in Node,
 * the edge runtime and a browser.
 */

/**
 * FNV-1a 64 over the string's UTF-8 bytes, as 16 lowercase hex digits
 * (`hashText('') === 'cbf29ce484222325'`, `hashText('a') === 'af63dc4c8601ec8c'`).
 * The 64-bit state is two int32 halves, so no BigInt is needed and every
 * operation stays in 32-bit integer arithmetic.
 *
 * One step is h ^= byte, then h *= 0x100000001b3 (0x1b3 plus 1 << 40) mod
 * 2^64. With h = hi * 2^32 + lo: the new lo is the low half of lo * 0x1b3,
 * and the new hi is hi * 0x1b3 + (lo << 8) plus the carry out of lo * 0x1b3
 * (its bits 32 and up, from lo's two 16-bit halves). The step is written out
 * twice, for ASCII and for the bytes of other code points, so the state
 * stays in two local variables.
 */
export function hashText(text: string): string {
  let hi = 0xcbf29ce4 | 0;
  let lo = 0x84222325 | 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    let code = text.charCodeAt(i);
    if (code < 0x80) {
      lo ^= code;
      const carry = ((lo >>> 16) * 0x1b3 + (((lo & 0xffff) * 0x1b3) >>> 16)) >>> 16;
      hi = (Math.imul(hi, 0x1b3) + (lo << 8) + carry) | 0;
      lo = Math.imul(lo, 0x1b3);
      continue;
    }
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < n) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
        i++;
      }
    }
    // The code point's UTF-8 bytes, first byte highest, and how many (a lone surrogate is encoded as it is).
    let bytes: number;
    let count: number;
    if (code < 0x800) {
      bytes = ((0xc0 | (code >> 6)) << 8) | (0x80 | (code & 0x3f));
      count = 2;
    } else if (code < 0x10000) {
      bytes = ((0xe0 | (code >> 12)) << 16) | ((0x80 | ((code >> 6) & 0x3f)) << 8) | (0x80 | (code & 0x3f));
      count = 3;
    } else {
      bytes = (((0xf0 | (code >> 18)) << 24) | ((0x80 | ((code >> 12) & 0x3f)) << 16) | ((0x80 | ((code >> 6) & 0x3f)) << 8) | (0x80 | (code & 0x3f))) >>> 0;
      count = 4;
    }
    for (let k = count - 1; k >= 0; k--) {
      lo ^= (bytes >>> (k * 8)) & 0xff;
      const carry = ((lo >>> 16) * 0x1b3 + (((lo & 0xffff) * 0x1b3) >>> 16)) >>> 16;
      hi = (Math.imul(hi, 0x1b3) + (lo << 8) + carry) | 0;
      lo = Math.imul(lo, 0x1b3);
    }
  }
  hi >>>= 0;
  lo >>>= 0;
  const d = HEX_DIGITS;
  return String.fromCharCode(
    d[hi >>> 28]!, d[(hi >>> 24) & 15]!, d[(hi >>> 20) & 15]!, d[(hi >>> 16) & 15]!,
    d[(hi >>> 12) & 15]!, d[(hi >>> 8) & 15]!, d[(hi >>> 4) & 15]!, d[hi & 15]!,
    d[lo >>> 28]!, d[(lo >>> 24) & 15]!, d[(lo >>> 20) & 15]!, d[(lo >>> 16) & 15]!,
    d[(lo >>> 12) & 15]!, d[(lo >>> 8) & 15]!, d[(lo >>> 4) & 15]!, d[lo & 15]!,
  );
}

/** Character codes of `0123456789abcdef`. */
const HEX_DIGITS = Uint8Array.from('0123456789abcdef', (c) => c.charCodeAt(0));

/** FNV-1a 32 over UTF-16 code units: the feature hash of the similarity vectors. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
