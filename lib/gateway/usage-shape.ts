import { completionTokens, promptTokens, type TokenBuckets } from '@/lib/engine/pricing';

/**
 * OpenAI's usage object for the ledger's token buckets, whatever provider
 * served the call: cache reads and writes are inside `prompt_tokens`,
 * reasoning tokens inside `completion_tokens`, as OpenAI reports them.
 */
export function openAiUsage(t: TokenBuckets) {
  const prompt = promptTokens(t);
  const completion = completionTokens(t);
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: t.cachedInputTokens },
    completion_tokens_details: { reasoning_tokens: t.reasoningTokens },
  };
}
