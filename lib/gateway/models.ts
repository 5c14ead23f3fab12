/**
 * GET /api/v1/models: OpenAI's model list, for the models the gateway can
 * route (priced and served by an upstream), plus `auto`.
 */
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

export async function listModels(rt: GatewayRuntime, organisationId: string): Promise<{ object: 'list'; data: ModelListEntry[] }> {
  const [{ models }, upstreams] = await Promise.all([rt.models(organisationId), rt.upstreams(organisationId)]);
  const data: ModelListEntry[] = [
    { id: 'auto', object: 'model', created: CREATED, owned_by: 'tollgate', tier: 'router', context_window: null, max_output_tokens: null },
  ];
  for (const m of models) {
    if (!upstreams.resolve(m.id, m.name)) continue;
    data.push({ id: m.name, object: 'model', created: CREATED, owned_by: m.provider, tier: m.tier, context_window: m.contextWindow, max_output_tokens: m.maxOutputTokens });
  }
  return { object: 'list', data };
}
