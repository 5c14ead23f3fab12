/**
 * Model names as providers bill them against model names as Tollgate
 * recorded them. Billing exports name dated snapshots
 * (`gpt-4o-mini-2024-07-18`, `claude-sonnet-4-5-20250929`) where a caller
 * often named the alias (`gpt-4o-mini`, `claude-sonnet-4-5`); both stand for
 * the same model for reconciliation.
 */

const SNAPSHOT_SUFFIXES: readonly RegExp[] = [
  // OpenAI snapshots: gpt-4o-mini-2024-07-18, o3-mini-2025-01-31
  /-\d{4}-\d{2}-\d{2}$/,
  // Anthropic snapshots: claude-sonnet-4-5-20250929, claude-3-5-haiku-20241022
  /-20\d{6}$/,
  // Vertex AI spelling of the same: claude-sonnet-4-5@20250929
  /@20\d{6}$/,
  // OpenAI's older MMDD snapshots: gpt-4-0613, gpt-3.5-turbo-0125
  /-(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])$/,
  // Moving aliases: claude-3-5-sonnet-latest
  /-latest$/,
];

/**
 * The model a name stands for: lower case, without a provider prefix
 * (`openai/gpt-5`) and without one snapshot suffix. Fine-tuned names
 * (`ft:gpt-4o-mini-2024-07-18:org::id`) keep their suffix and match only
 * themselves.
 */
export function canonicalModelName(name: string): string {
  let canonical = name.trim().toLowerCase();
  const slash = canonical.lastIndexOf('/');
  if (slash >= 0 && !canonical.startsWith('ft:')) canonical = canonical.slice(slash + 1);
  for (const suffix of SNAPSHOT_SUFFIXES) {
    const stripped = canonical.replace(suffix, '');
    if (stripped !== canonical && stripped.length > 0) return stripped;
  }
  return canonical;
}

/** True when two names stand for the same model (`gpt-4o-mini-2024-07-18` and `gpt-4o-mini`). */
export function sameModel(a: string, b: string): boolean {
  return canonicalModelName(a) === canonicalModelName(b);
}

const MODEL_TOKEN = /^[a-z0-9][a-z0-9._:@-]*$/i;

/** `cached input` -> `cached_input`. */
export function normaliseDirection(text: string): string {
  return text.trim().toLowerCase().replace(/\s+/g, '_');
}

/**
 * An OpenAI costs line item, `"gpt-4o-mini-2024-07-18, input"`, split into
 * its model and direction. A line item that names no model ("Image models",
 * "web search tool calls") gives nulls; a bare model id gives no direction.
 */
export function splitOpenAiLineItem(lineItem: string | null): { modelName: string | null; direction: string | null } {
  if (!lineItem) return { modelName: null, direction: null };
  const text = lineItem.trim();
  const comma = text.indexOf(',');
  if (comma > 0) {
    const head = text.slice(0, comma).trim();
    const tail = text.slice(comma + 1).trim();
    if (MODEL_TOKEN.test(head) && /\d/.test(head) && tail) return { modelName: head, direction: normaliseDirection(tail) };
    return { modelName: null, direction: null };
  }
  if (MODEL_TOKEN.test(text) && /\d/.test(text) && /[-.]/.test(text)) return { modelName: text, direction: null };
  return { modelName: null, direction: null };
}

const ANTHROPIC_TOKEN_TYPES: Record<string, string> = {
  uncached_input_tokens: 'input',
  cache_read_input_tokens: 'cached_input',
  'cache_creation.ephemeral_5m_input_tokens': 'cache_write_5m',
  'cache_creation.ephemeral_1h_input_tokens': 'cache_write_1h',
  output_tokens: 'output',
};

/** Anthropic's cost report `token_type` as a direction. */
export function anthropicDirection(tokenType: string | null): string | null {
  if (!tokenType) return null;
  return ANTHROPIC_TOKEN_TYPES[tokenType] ?? normaliseDirection(tokenType);
}
