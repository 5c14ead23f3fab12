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

export function countTokens(text: string): number {
  return text ? countO200k(text) : 0;
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
