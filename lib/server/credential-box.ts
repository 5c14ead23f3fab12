/**
 * Upstream credentials at rest: AES-256-GCM with a key derived from
 * AUTH_SECRET (HKDF-SHA256), so a database dump alone does not reveal them.
 * Rotating AUTH_SECRET makes stored credentials unreadable: ops re-enter them.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 'v1';

function key(): Buffer {
  const secret = process.env.AUTH_SECRET;
  if (!secret) throw new Error('AUTH_SECRET is required to store upstream credentials');
  return Buffer.from(hkdfSync('sha256', secret, 'tollgate', 'upstream-credential', 32));
}

export function sealCredential(plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key(), iv);
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
}

/** The credential, or null when it cannot be opened (another AUTH_SECRET, or tampered). */
export function openCredential(sealed: string): string | null {
  const [version, iv, tag, body] = sealed.split('.');
  if (version !== VERSION || !iv || !tag || body === undefined) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key(), Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}

/** What may be shown of a credential: its last four characters. */
export function credentialHint(plain: string): string {
  return plain.length <= 8 ? '…' : `…${plain.slice(-4)}`;
}
