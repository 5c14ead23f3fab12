/**
 * The gateway's Prometheus metrics, kept in process memory (each app
 * instance exposes its own; Prometheus sums them). Counters only go up;
 * money is exported in USD as a float for dashboards, while the ledger stays
 * the exact record. Every series about calls carries its organisation, and a
 * reader is shown its own organisation's series only (see `render`).
 */
import { NANO_PER_USD } from '@/lib/engine/money';

type Labels = Record<string, string>;

interface Family {
  help: string;
  type: 'counter' | 'histogram' | 'gauge';
  series: Map<string, { labels: Labels; value: number; buckets?: number[]; sum?: number; count?: number }>;
}

/** Overhead buckets in milliseconds: sub-millisecond resolution where the target is. */
const OVERHEAD_BUCKETS_MS = [0.1, 0.25, 0.5, 1, 2, 5, 10, 25, 50, 100];

function labelKey(labels: Labels): string {
  let key = '';
  for (const name of Object.keys(labels).sort()) key += `${name}=${labels[name]}\u0000`;
  return key;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function renderLabels(labels: Labels, extra?: [string, string]): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  if (extra) parts.push(`${extra[0]}="${extra[1]}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

export class Metrics {
  private readonly families = new Map<string, Family>();

  private family(name: string, type: Family['type'], help: string): Family {
    let family = this.families.get(name);
    if (!family) {
      family = { help, type, series: new Map() };
      this.families.set(name, family);
    }
    return family;
  }

  inc(name: string, help: string, labels: Labels, by = 1): void {
    const family = this.family(name, 'counter', help);
    const key = labelKey(labels);
    const series = family.series.get(key);
    if (series) series.value += by;
    else family.series.set(key, { labels, value: by });
  }

  set(name: string, help: string, labels: Labels, value: number): void {
    const family = this.family(name, 'gauge', help);
    family.series.set(labelKey(labels), { labels, value });
  }

  observe(name: string, help: string, labels: Labels, value: number): void {
    const family = this.family(name, 'histogram', help);
    const key = labelKey(labels);
    let series = family.series.get(key);
    if (!series) {
      series = { labels, value: 0, buckets: OVERHEAD_BUCKETS_MS.map(() => 0), sum: 0, count: 0 };
      family.series.set(key, series);
    }
    for (let i = 0; i < OVERHEAD_BUCKETS_MS.length; i++) if (value <= OVERHEAD_BUCKETS_MS[i]!) series.buckets![i]! += 1;
    series.sum! += value;
    series.count! += 1;
  }

  /**
   * The Prometheus text exposition format, version 0.0.4. With
   * `organisationId`, only that organisation's series and the instance's own
   * (those with no `organisation` label): one tenant's ops never see another
   * tenant's departments, models or spend.
   */
  render(organisationId?: string): string {
    const lines: string[] = [];
    for (const [name, family] of [...this.families].sort(([a], [b]) => a.localeCompare(b))) {
      lines.push(`# HELP ${name} ${family.help}`, `# TYPE ${name} ${family.type}`);
      for (const series of family.series.values()) {
        if (organisationId !== undefined && series.labels.organisation !== undefined && series.labels.organisation !== organisationId) continue;
        if (family.type !== 'histogram') {
          lines.push(`${name}${renderLabels(series.labels)} ${series.value}`);
          continue;
        }
        OVERHEAD_BUCKETS_MS.forEach((le, i) => lines.push(`${name}_bucket${renderLabels(series.labels, ['le', String(le)])} ${series.buckets![i]}`));
        lines.push(`${name}_bucket${renderLabels(series.labels, ['le', '+Inf'])} ${series.count}`);
        lines.push(`${name}_sum${renderLabels(series.labels)} ${series.sum}`);
        lines.push(`${name}_count${renderLabels(series.labels)} ${series.count}`);
      }
    }
    return `${lines.join('\n')}\n`;
  }
}

/** Where a request or attempt is counted: the caller's organisation, routing tier, model and the caller's department. */
export interface CallLabels {
  organisation: string;
  tier: string;
  model: string;
  department: string;
}

/** One upstream attempt's tokens and spend, under the model that served it (a fallback's attempts each count). */
export function recordAttemptUsage(metrics: Metrics, at: CallLabels, usage: { promptTokens: number; completionTokens: number; costNano: bigint }): void {
  const by = { organisation: at.organisation, tier: at.tier, model: at.model, department: at.department };
  metrics.inc('tollgate_tokens_total', 'Tokens through the gateway by tier, model, department and direction.', { ...by, direction: 'input' }, usage.promptTokens);
  metrics.inc('tollgate_tokens_total', 'Tokens through the gateway by tier, model, department and direction.', { ...by, direction: 'output' }, usage.completionTokens);
  metrics.inc('tollgate_spend_usd_total', 'Provider spend through the gateway in USD.', by, Number(usage.costNano) / Number(NANO_PER_USD));
}

export interface RequestOutcome extends CallLabels {
  /** `ok`, or the error type the request ended with (a refusal's, or its last attempt's). */
  status: string;
  /** `hit`/`miss` when the response cache was asked, `none` when the request was refused first or skipped it. */
  cache: 'hit' | 'miss' | 'none';
  savedNano: bigint;
  /** Time the gateway added, when the request was answered; null otherwise. */
  overheadMs: number | null;
}

/** Records one gateway request, once, however many attempts it took: labelled by the model that answered or last tried. */
export function recordRequest(metrics: Metrics, r: RequestOutcome): void {
  const org = r.organisation;
  metrics.inc('tollgate_requests_total', 'Gateway requests by tier, model, department and outcome.', { organisation: org, tier: r.tier, model: r.model, department: r.department, status: r.status });
  if (r.cache === 'hit') {
    metrics.inc('tollgate_cache_hits_total', 'Calls answered from the response cache.', { organisation: org, department: r.department });
    metrics.inc('tollgate_cache_saved_usd_total', 'Provider spend the cache avoided, in USD.', { organisation: org, department: r.department }, Number(r.savedNano) / Number(NANO_PER_USD));
  } else if (r.cache === 'miss') {
    metrics.inc('tollgate_cache_misses_total', 'Calls the response cache could not answer.', { organisation: org, department: r.department });
  }
  if (r.overheadMs !== null) metrics.observe('tollgate_overhead_ms', 'Time the gateway added to a call, in milliseconds (excludes the upstream).', { organisation: org, tier: r.tier }, r.overheadMs);
}

export function recordFallback(metrics: Metrics, organisation: string, from: string, to: string, reason: string): void {
  metrics.inc('tollgate_fallbacks_total', 'Attempts that fell back to another model after an upstream failure.', { organisation, from, to, reason });
}

/** One upstream attempt, under the organisation whose upstream it was (ops configure upstreams per organisation). */
export function recordUpstreamAttempt(metrics: Metrics, organisation: string, model: string, outcome: string, latencyMs: number): void {
  metrics.inc('tollgate_upstream_attempts_total', 'Upstream attempts by model and outcome.', { organisation, model, outcome });
  metrics.inc('tollgate_upstream_latency_ms_total', 'Summed upstream latency in milliseconds, by model.', { organisation, model }, latencyMs);
}
