/**
 * Token counting with a real BPE tokenizer (o200k_base, the GPT-4o/GPT-5
 * family's encoding, shipped inside the `gpt-tokenizer` package: nothing is
 * downloaded at run time). Other providers' tokenizers differ by a few per
 * cent; admission projects with this count and settles with the provider's
 * own usage.
 */
import { countTokens as countO200k } from 'gpt-tokenizer/encoding/o200k_base';

/** Per-message framing tokens in OpenAI's chat format, and the reply primer. */
const TOKENS_PER_MESSAGE = 3;
const REPLY_PRIMER_TOKENS = 3;

/**
 * Counts of recently seen texts. System prompts, roles and retried turns
 * repeat call after call, and an agent sends its whole conversation again
 * with every turn: a hit costs one map probe instead of a BPE pass (about
 * 2 ms for 120 KB of history). Bounded by entries and by the characters kept
 * (oldest out); a text longer than a tenth of that budget is counted and not
 * kept.
 */
const MEMO_ENTRIES = 4_096;
const MEMO_MAX_TOTAL_CHARS = 8_000_000;
const MEMO_MAX_CHARS = MEMO_MAX_TOTAL_CHARS / 10;
const memo = new Map<string, number>();
let memoChars = 0;

export function countTokens(text: string): number {
  if (!text) return 0;
  if (text.length > MEMO_MAX_CHARS) return countO200k(text);
  const known = memo.get(text);
  if (known !== undefined) return known;
  const count = countO200k(text);
  while (memo.size > 0 && (memo.size >= MEMO_ENTRIES || memoChars + text.length > MEMO_MAX_TOTAL_CHARS)) {
    const oldest = memo.keys().next().value!;
    memo.delete(oldest);
    memoChars -= oldest.length;
  }
  memo.set(text, count);
  memoChars += text.length;
  return count;
}

/** What the memo holds now (tests, diagnostics). */
export function tokenMemoSize(): { entries: number; chars: number } {
  return { entries: memo.size, chars: memoChars };
}

export interface CountableMessage {
  role: string;
  content?: unknown;
  name?: string;
}

/** The plain text of a message's content: a string, or the text parts of a content array. */
export function messageText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let text = '';
  for (const part of content) {
    if (part && typeof part === 'object' && typeof (part as { text?: unknown }).text === 'string') {
      text += (text ? '\n' : '') + (part as { text: string }).text;
    }
  }
  return text;
}

/** Prompt tokens of a chat request as OpenAI counts them (framing included). */
export function countChatTokens(messages: readonly CountableMessage[]): number {
  let total = REPLY_PRIMER_TOKENS;
  for (const m of messages) {
    total += TOKENS_PER_MESSAGE + countTokens(m.role) + countTokens(messageText(m.content));
    if (m.name) total += 1 + countTokens(m.name);
  }
  return total;
}
