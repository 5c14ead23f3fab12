/**
 * TanStack Query options for the ops inbox, and the decisions it sends. The
 * server page renders the same read model first; the client polls
 * /api/v1/inbox and refreshes it after every decision. The session cookie
 * authenticates; the API checks the permission whatever the page shows.
 */
import type { InboxData } from '@/db/queries/inbox';

export const INBOX_REFRESH_MS = 10_000;
export const inboxQueryKey = ['inbox'] as const;

/** An API refusal, with the status and the API's own message and code. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string | null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

async function api<T>(path: string, init?: RequestInit): Promise<T> {
  const response = await fetch(path, { cache: 'no-store', ...init });
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as { error?: { message?: string; code?: string | null } } | null;
    throw new ApiError(response.status, body?.error?.message ?? `Request failed (${response.status})`, body?.error?.code ?? null);
  }
  return (await response.json()) as T;
}

const postJson = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

export function fetchInbox(): Promise<InboxData> {
  return api<InboxData>('/api/v1/inbox');
}

export function inboxQueryOptions() {
  return { queryKey: inboxQueryKey, queryFn: fetchInbox, refetchInterval: INBOX_REFRESH_MS };
}

export interface DecisionInput {
  id: string;
  decision: 'approve' | 'reject';
  note?: string;
}

/** Approves or rejects one request; a request someone else decided first is a 409 carrying the API's message. */
export function decideApproval({ id, decision, note }: DecisionInput): Promise<unknown> {
  const trimmed = note?.trim();
  return api(`/api/v1/approvals/${encodeURIComponent(id)}/${decision}`, postJson(trimmed ? { note: trimmed } : {}));
}

export function unfreezeSession(id: string): Promise<unknown> {
  return api(`/api/v1/sessions/${encodeURIComponent(id)}/unfreeze`, postJson({}));
}
