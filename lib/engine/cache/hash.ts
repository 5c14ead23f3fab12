/**
 * Non-cryptographic string hashes. The cache key is not a security boundary
 * (the scope is compared as text, not only by hash), so speed and stability
 * across runtimes are what matter: the same string hashes the same in Node,
 * the edge runtime and a browser.
 */

/**
 * FNV-1a 64 over the string's UTF-8 bytes, as 16 lowercase hex digits
 * (`hashText('') === 'cbf29ce484222325'`, `hashText('a') === 'af63dc4c8601ec8c'`).
 * The 64-bit product is kept in four 16-bit limbs so no BigInt is needed.
 */
export function hashText(text: string): string {
  let h0 = 0x2325;
  let h1 = 0x8422;
  let h2 = 0x9ce4;
  let h3 = 0xcbf2;
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i);
    // The code point's UTF-8 bytes, first byte highest, and how many (no closure: the limbs stay in registers).
    let bytes: number;
    let count: number;
    if (code < 0x80) {
      bytes = code;
      count = 1;
    } else {
      if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
        const low = text.charCodeAt(i + 1);
        if (low >= 0xdc00 && low <= 0xdfff) {
          code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
          i++;
        }
      }
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
    }
    for (let k = count - 1; k >= 0; k--) {
      // h ^= byte, then h *= 0x100000001b3 (0x1b3 plus 1 << 40) mod 2^64, in 16-bit limbs.
      h0 ^= (bytes >>> (k * 8)) & 0xff;
      const t0 = h0 * 0x1b3;
      let t1 = h1 * 0x1b3;
      let t2 = h2 * 0x1b3 + (h0 << 8);
      const t3 = h3 * 0x1b3 + (h1 << 8);
      t1 += t0 >>> 16;
      h0 = t0 & 0xffff;
      t2 += t1 >>> 16;
      h1 = t1 & 0xffff;
      h3 = (t3 + (t2 >>> 16)) & 0xffff;
      h2 = t2 & 0xffff;
    }
  }
  const d = HEX_DIGITS;
  return String.fromCharCode(
    d[h3 >>> 12]!, d[(h3 >>> 8) & 15]!, d[(h3 >>> 4) & 15]!, d[h3 & 15]!,
    d[h2 >>> 12]!, d[(h2 >>> 8) & 15]!, d[(h2 >>> 4) & 15]!, d[h2 & 15]!,
    d[h1 >>> 12]!, d[(h1 >>> 8) & 15]!, d[(h1 >>> 4) & 15]!, d[h1 & 15]!,
    d[h0 >>> 12]!, d[(h0 >>> 8) & 15]!, d[(h0 >>> 4) & 15]!, d[h0 & 15]!,
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
