/**
 * What the response cache keys a chat request by. Two requests may share an
 * answer only when everything that shapes the answer is the same: the
 * conversation's text (the key, matched exactly or semantically), and in the
 * scope the organisation, department, model, task, system prompt,
 * temperature, and a hash of the rest (`optionsHash`): tools, every other
 * option (response_format, stop, seed, top_p, penalties, fields Tollgate does
 * not know, which still go upstream), and what a message holds beyond its
 * text (images, audio, files, names, tool calls).
 */
import type { Actor } from '@/lib/auth/actor';
import { hashText } from '@/lib/engine/cache';
import type { CacheHit, CacheScope } from '@/lib/engine/cache/types';
import { messageText } from '@/lib/engine/tokens';
import { requestedMaxTokens, type ParsedChatRequest } from './request';

/**
 * Body fields that do not change the answer's text, or that the scope or
 * `servable` already cover: they stay out of `optionsHash`.
 */
const NOT_SHAPING = new Set(['model', 'messages', 'temperature', 'stream', 'stream_options', 'user', 'metadata', 'store', 'max_tokens', 'max_completion_tokens']);

/** The conversation as the cache keys it: every turn's text but the system prompt's, which is part of the scope. */
export function conversationText(body: ParsedChatRequest): string {
  let text = '';
  for (const m of body.messages) {
    if (m.role === 'system' || m.role === 'developer') continue;
    text += `${m.role}: ${messageText(m.content)}\n`;
  }
  return text;
}

type Message = ParsedChatRequest['messages'][number];

/** What a message holds beyond its role and text (non-text parts, name, tool calls and ids), or null when nothing. */
function messageExtras(m: Message): Record<string, unknown> | null {
  let extras: Record<string, unknown> | null = null;
  for (const key of Object.keys(m)) {
    if (key === 'role' || key === 'content' || m[key] === undefined) continue;
    (extras ??= {})[key] = m[key];
  }
  if (Array.isArray(m.content)) {
    const parts = m.content.filter((part) => part.type !== 'text');
    if (parts.length > 0) (extras ??= {}).parts = parts;
  }
  return extras;
}

/**
 * Hash of everything in the request, other than the conversation's text,
 * that shapes the answer; empty when there is nothing (the usual text-only
 * call with no options).
 */
export function requestOptionsHash(body: ParsedChatRequest): string {
  const shaping: [string, unknown][] = [];
  for (const key of Object.keys(body).sort()) {
    const value = body[key];
    if (!NOT_SHAPING.has(key) && value !== undefined && value !== null) shaping.push([key, value]);
  }
  const extras: [number, Record<string, unknown>][] = [];
  body.messages.forEach((m, i) => {
    const found = messageExtras(m);
    if (found) extras.push([i, found]);
  });
  if (shaping.length === 0 && extras.length === 0) return '';
  return hashText(JSON.stringify([shaping, extras]));
}

export function cacheScope(actor: Actor, body: ParsedChatRequest, task: string, optionsHash: string): CacheScope {
  let system = '';
  for (const m of body.messages) {
    if (m.role === 'system' || m.role === 'developer') system += (system ? '\n' : '') + messageText(m.content);
  }
  return {
    organisationId: actor.organisationId,
    departmentId: actor.departmentId,
    model: body.model,
    task,
    systemHash: system ? hashText(system) : '',
    temperature: body.temperature ?? null,
    optionsHash,
  };
}

/**
 * Whether a cached answer may answer this request: only whole answers are
 * stored (`finish_reason: stop`), and one longer than the caller's output
 * limit would break that limit.
 */
export function servable(hit: CacheHit, body: ParsedChatRequest): boolean {
  const max = requestedMaxTokens(body);
  return max === null || hit.response.completionTokens <= max;
}
