/**
 * Password and API-key hashing. Passwords use scrypt with a per-user salt;
 * API keys are high-entropy random strings, so a SHA-256 digest is enough and
 * lets the gateway find a key by its hash in one indexed lookup.
 */
import { hash, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';

const SCRYPT_KEYLEN = 32;

export function hashPassword(password: string, salt: Buffer = randomBytes(16)): string {
  const derived = scryptSync(password, salt, SCRYPT_KEYLEN);
  return `scrypt$${salt.toString('base64url')}$${derived.toString('base64url')}`;
}

export function verifyPassword(password: string, stored: string | null | undefined): boolean {
  if (!stored) return false;
  const [scheme, saltText, hashText] = stored.split('$');
  if (scheme !== 'scrypt' || !saltText || !hashText) return false;
  const expected = Buffer.from(hashText, 'base64url');
  const derived = scryptSync(password, Buffer.from(saltText, 'base64url'), expected.length);
  return derived.length === expected.length && timingSafeEqual(derived, expected);
}

export const API_KEY_PREFIX = 'tg_';

/** A new API key: `tg_` + 40 base62-ish characters. */
export function generateApiKey(): string {
  return API_KEY_PREFIX + randomBytes(30).toString('base64url').replace(/[-_]/g, '').slice(0, 40).padEnd(40, '0');
}

export function hashApiKey(key: string): string {
  // The one-shot form: about a third of createHash's cost, on every gateway call.
  return hash('sha256', key, 'hex');
}

/** The visible part of a key, safe to show and to log. */
export function apiKeyPrefix(key: string): string {
  return key.slice(0, 11);
}
