/**
 * GET /api/v1/models: OpenAI's model list, for the models the gateway can
 * route for this caller (priced, served by an upstream, and not forbidden by
 * a routing policy that covers the caller), plus `auto`.
 */
import type { Actor } from '@/lib/auth/actor';
import { attributionOf, callPolicies } from './governance';
import type { GatewayRuntime } from './runtime';

export interface ModelListEntry {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
  /** Tollgate's additions: the routing tier, context window and output cap. */
  tier: 'router' | 'small' | 'frontier';
  context_window: number | null;
  max_output_tokens: number | null;
}

/** The catalog's effective date as a Unix time: when these model entries came into force. */
const CREATED = Math.floor(Date.parse('2025-09-01T00:00:00Z') / 1000);

export async function listModels(rt: GatewayRuntime, actor: Actor): Promise<{ object: 'list'; data: ModelListEntry[] }> {
  const [{ models }, upstreams, policies] = await Promise.all([
    rt.models(actor.organisationId),
    rt.upstreams(actor.organisationId),
    callPolicies(rt, attributionOf(actor, null)),
  ]);
  const data: ModelListEntry[] = [
    { id: 'auto', object: 'model', created: CREATED, owned_by: 'tollgate', tier: 'router', context_window: null, max_output_tokens: null },
  ];
  for (const m of models) {
    if (!upstreams.resolve(m.id, m.name) || policies.forbidden.has(m.id)) continue;
    data.push({ id: m.name, object: 'model', created: CREATED, owned_by: m.provider, tier: m.tier, context_window: m.contextWindow, max_output_tokens: m.maxOutputTokens });
  }
  return { object: 'list', data };
}
