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
 * repeat call after call; a hit costs one map probe instead of a BPE pass.
 * Bounded (oldest out), and only short texts are kept.
 */
const MEMO_ENTRIES = 2_048;
const MEMO_MAX_CHARS = 8_192;
const memo = new Map<string, number>();

export function countTokens(text: string): number {
  if (!text) return 0;
  if (text.length > MEMO_MAX_CHARS) return countO200k(text);
  const known = memo.get(text);
  if (known !== undefined) return known;
  const count = countO200k(text);
  if (memo.size >= MEMO_ENTRIES) memo.delete(memo.keys().next().value!);
  memo.set(text, count);
  return count;
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
