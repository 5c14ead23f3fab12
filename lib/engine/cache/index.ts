/** The response cache: exact and guarded semantic matching inside one scope. See README.md. */
export type { CacheHit, CacheScope, CachedResponse } from './types';
export { DEFAULT_SEMANTIC_THRESHOLD, ResponseCache, scopeKey, type ResponseCacheOptions } from './response-cache';
export { hashText } from './hash';
export { canonicalText, prepareText, tokenize, stem, canonicalTerm } from './normalise';
export { factsOf, factsVerdict, guardVerdict, guardsMatch, termsMatch, type Facts, type GuardKind } from './guards';
export { analysePrompt, cosine, textSimilarity, vectorise, type PromptAnalysis, type SparseVector } from './similarity';
