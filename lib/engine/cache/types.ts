/**
 * The response cache's contract. A cache entry is only ever served inside
 * the scope it was written in: same organisation and department, same model
 * (or, for `auto`, the same routing tier), same system prompt, temperature
 * and options (tools and everything else that shapes the answer). Exact matches come first; a semantic match must also pass the
 * guards (numbers, ids, dates and negations identical).
 */
export interface CacheScope {
  organisationId: string;
  departmentId: string | null;
  /** The model the client asked for (`auto` included) and the task type it was routed as. */
  model: string;
  task: string;
  /** Hash of the system/developer messages (empty string when none). */
  systemHash: string;
  temperature: number | null;
  /**
   * Hash of everything else in the request that shapes the answer: tools,
   * options such as response_format, stop or seed, and what the messages hold
   * beyond their text (images, files, tool calls). Empty when there is none.
   */
  optionsHash: string;
}

export interface CachedResponse {
  /** The catalog model that produced the answer. */
  modelId: string;
  modelName: string;
  /** The assistant's reply text. */
  content: string;
  /** Only whole answers are cached. */
  finishReason: 'stop';
  promptTokens: number;
  completionTokens: number;
  /** What producing the answer cost upstream, nano-dollars: a hit saves this much. */
  costNano: bigint;
  /** Ledger id of the call that produced it. */
  sourceRequestId: string;
  storedAt: number;
}

export type CacheHit = { kind: 'exact' | 'semantic'; similarity: number; response: CachedResponse };
