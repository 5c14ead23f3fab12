/** A response-cache scope and answer for the cache's unit tests. */
import type { CachedResponse, CacheScope } from '@/lib/engine/cache';

export const CACHE_SCOPE: CacheScope = {
  organisationId: 'org_1',
  departmentId: 'dep_support',
  model: 'auto',
  task: 'summarize',
  systemHash: '',
  temperature: 0,
  optionsHash: '',
};

export const CACHED_RESPONSE: CachedResponse = {
  modelId: 'openai/gpt-5-nano',
  modelName: 'gpt-5-nano',
  content: 'answer',
  finishReason: 'stop',
  promptTokens: 10,
  completionTokens: 5,
  costNano: 1_000n,
  sourceRequestId: 'req_1',
  storedAt: 0,
};
