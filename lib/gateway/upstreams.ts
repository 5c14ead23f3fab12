/**
 * Which upstream serves a catalog model: the enabled upstream ops configured
 * for it (table `upstreams`), else the built-in simulator unless
 * TOLLGATE_SIMULATED_UPSTREAMS=off. Loaded per organisation and cached for
 * UPSTREAM_TTL_MS; credentials are decrypted here and live only inside the
 * adapters.
 */
import type { DbHandle } from '@/db/client';
import { anthropicAdapter, openAiCompatibleAdapter, simulatedAdapter, type SimulatedOptions } from '@/lib/providers';
import type { ProviderAdapter } from '@/lib/providers/types';
import type { UpstreamAuthHeader, UpstreamKind } from '@/lib/engine/enums';
import { openCredential } from '@/lib/server/credential-box';

const UPSTREAM_TTL_MS = 30_000;
export const DEFAULT_UPSTREAM_TIMEOUT_MS = 60_000;

export interface UpstreamTarget {
  adapter: ProviderAdapter;
  /** The name the upstream knows the model by. */
  upstreamModel: string;
  timeoutMs: number;
  /** `simulated` for the built-in simulator, else the configured upstream's name. */
  upstreamName: string;
}

export interface UpstreamRow {
  id: string;
  name: string;
  kind: UpstreamKind;
  base_url: string | null;
  auth_header: UpstreamAuthHeader;
  credential_ciphertext: string | null;
  models: Record<string, string>;
  timeout_ms: number;
}

export class UpstreamRegistry {
  private readonly byModel = new Map<string, UpstreamTarget>();
  /** The longest any one attempt may take here: the largest configured timeout (the simulator's default at least). */
  readonly maxTimeoutMs: number;

  constructor(
    rows: readonly UpstreamRow[],
    private readonly simulator: ProviderAdapter | null,
    readonly loadedAt: number,
  ) {
    for (const row of rows) {
      const adapter = adapterFor(row);
      if (!adapter) continue;
      for (const [modelId, upstreamModel] of Object.entries(row.models)) {
        if (!this.byModel.has(modelId)) {
          this.byModel.set(modelId, { adapter, upstreamModel, timeoutMs: row.timeout_ms, upstreamName: row.name });
        }
      }
    }
    this.maxTimeoutMs = Math.max(DEFAULT_UPSTREAM_TIMEOUT_MS, ...[...this.byModel.values()].map((t) => t.timeoutMs));
  }

  /** The upstream for a catalog model, or null when none serves it. */
  resolve(modelId: string, modelName: string): UpstreamTarget | null {
    const configured = this.byModel.get(modelId);
    if (configured) return configured;
    if (!this.simulator) return null;
    return { adapter: this.simulator, upstreamModel: modelName, timeoutMs: DEFAULT_UPSTREAM_TIMEOUT_MS, upstreamName: 'simulated' };
  }
}

function adapterFor(row: UpstreamRow): ProviderAdapter | null {
  const apiKey = row.credential_ciphertext ? openCredential(row.credential_ciphertext) : null;
  if (row.credential_ciphertext && apiKey === null) {
    console.error(`[tollgate] upstream ${row.name}: its credential cannot be decrypted with this AUTH_SECRET; re-enter it`);
    return null;
  }
  switch (row.kind) {
    case 'openai_compatible':
      if (!row.base_url) return null;
      return openAiCompatibleAdapter({ baseUrl: row.base_url, apiKey: apiKey ?? undefined, authHeader: row.auth_header });
    case 'anthropic':
      if (!apiKey) return null;
      return anthropicAdapter({ baseUrl: row.base_url ?? undefined, apiKey });
    case 'simulated':
      return simulatedAdapter({});
  }
}

export function simulatorEnabled(): boolean {
  return (process.env.TOLLGATE_SIMULATED_UPSTREAMS ?? 'on').toLowerCase() !== 'off';
}

/** The simulator's latency profile: lively for the demo, `TOLLGATE_SIMULATED_LATENCY=off` for tests. */
export function simulatorOptions(): SimulatedOptions {
  return (process.env.TOLLGATE_SIMULATED_LATENCY ?? 'on').toLowerCase() === 'off'
    ? { latency: { firstTokenMs: 0, perTokenMs: 0, jitterMs: 0 } }
    : {};
}

export async function loadUpstreams(db: DbHandle, organisationId: string, simulator: ProviderAdapter | null, now: number): Promise<UpstreamRegistry> {
  const rows = await db.query<UpstreamRow>(
    `select id, name, kind, base_url, auth_header, credential_ciphertext, models, timeout_ms
       from upstreams where organisation_id = $1 and enabled order by created_at`,
    [organisationId],
  );
  return new UpstreamRegistry(rows, simulator, now);
}

export function upstreamsFresh(registry: UpstreamRegistry | undefined, now: number): registry is UpstreamRegistry {
  return registry !== undefined && now - registry.loadedAt < UPSTREAM_TTL_MS;
}
