/**
 * Text PostgreSQL stores exactly as given: no NUL character (a text value
 * cannot hold one: the insert fails) and no unpaired UTF-16 surrogate (it
 * would be stored as U+FFFD, a different string). Caller-supplied text that
 * reaches the ledger or the billing lines is checked with this first, so it
 * is refused with a clear error instead of failing the whole write.
 */
const UNSTORABLE = /[\u0000]|\p{Cs}/u;

export const UNSTORABLE_TEXT_MESSAGE = 'must not contain a NUL character or an unpaired surrogate';

export function isStorableText(text: string): boolean {
  return !UNSTORABLE.test(text);
}
