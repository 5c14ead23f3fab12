/**
 * The gateway's per-process state, shared by the Next.js route handlers and
 * the thin Node layer in the production server: metrics, the response
 * cache, quality and health estimates, the upstream registry and the ledger
 * writer. Nothing here is the record: the ledger is. Quality estimates are
 * per organisation (its routing hears only its own feedback and retries),
 * rebuilt from stored feedback on start and refreshed on a timer.
 */
import type { DbHandle } from '@/db/client';
import { getDb } from '@/db/client';
import { CATALOG_MODELS } from '@/lib/engine/catalog';
import { DEFAULT_SEMANTIC_THRESHOLD, ResponseCache } from '@/lib/engine/cache';
import type { TaskType } from '@/lib/engine/enums';
import type { RoutableModel } from '@/lib/engine/router/types';
import { choosePrices } from '@/lib/engine/prices';
import { catalogQuality, HealthTracker, OrganisationQuality, type OrganisationQualityRow } from '@/lib/engine/router';
import { simulatedAdapter } from '@/lib/providers';
import type { ProviderAdapter } from '@/lib/providers/types';
import { LoopGuard } from '@/lib/engine/governance';
import { loopSessionKey } from '@/lib/engine/governance/loop-guard';
import { alertCrossingsLater } from '@/lib/server/budget-alerts';
import { startGovernanceTimers } from '@/lib/server/governance-admin';
import { onSessionUnfrozen } from '@/lib/server/governance-admin/sessions';
import { LeaseAdmitter } from '@/lib/server/governance/leases';
import { expireReservations } from '@/lib/server/governance/quota-store';
import { LedgerWriter } from '@/lib/server/ledger-writer';
import { getPriceBook, type PriceBook } from '@/lib/server/price-book';
import { loadQualityHistory } from './quality-history';
import { Metrics } from './metrics';
import { loadUpstreams, simulatorEnabled, simulatorOptions, upstreamsFresh, type UpstreamRegistry } from './upstreams';

const QUALITY_REFRESH_MS = 5 * 60_000;
/**
 * The gateway's ledger rows wait up to this long for others to share their
 * commit. Replies never wait on it. Through a database outage the writer
 * keeps the rows and retries; what a crash of this process can lose is the
 * rows not yet committed (see README, "Gateway").
 */
const LEDGER_LINGER_MS = 10;
const RESERVATION_SWEEP_MS = 15_000;
/** Retry signals are not stored; the process keeps the latest ones to re-apply over each refresh. */
const MAX_LIVE_SIGNALS = 10_000;

export interface GatewayRuntime {
  db: DbHandle;
  metrics: Metrics;
  cache: ResponseCache;
  /** Current quality estimates per organisation (replaced on refresh: read it through the runtime, never keep it). */
  quality: OrganisationQuality;
  health: HealthTracker;
  /**
   * Per-process loop guard state, keyed by `loopSessionKey(organisation, session)`; a freeze is stored, so every
   * instance honours it, and an unfreeze clears the session here (see `onSessionUnfrozen`).
   */
  loopGuard: LoopGuard;
  /** Budget admission: reservations in PostgreSQL, with leases for hot counters. */
  admitter: LeaseAdmitter;
  /** Records a quality signal now and keeps it across refreshes until it is in the stored history. */
  observeQuality(row: OrganisationQualityRow, stored: boolean): void;
  writer: LedgerWriter;
  simulator: ProviderAdapter | null;
  /** Routable models priced for the organisation now (contracted rates where they exist). */
  models(organisationId: string): Promise<{ book: PriceBook; models: RoutableModel[] }>;
  upstreams(organisationId: string): Promise<UpstreamRegistry>;
  /** Per session, the last prompt's hash and model: a repeat is a retry signal for quality. */
  lastPrompt: Map<string, { hash: string; modelId: string; task: TaskType; at: number }>;
  /** Rebuilds quality estimates from stored feedback plus this process's unstored signals. */
  refreshQuality(history: readonly OrganisationQualityRow[]): void;
  /** Forget cached upstreams and priced models: the next call reloads them. */
  invalidate(): void;
}

function buildRuntime(db: DbHandle): GatewayRuntime {
  const upstreamCache = new Map<string, UpstreamRegistry>();
  const modelCache = new Map<string, { book: PriceBook; models: RoutableModel[] }>();
  const simulator = simulatorEnabled() ? simulatedAdapter(simulatorOptions()) : null;
  const liveSignals: OrganisationQualityRow[] = [];
  const runtime: GatewayRuntime = {
    db,
    metrics: new Metrics(),
    cache: new ResponseCache({ maxEntries: 20_000, ttlMs: 60 * 60_000, semanticThreshold: DEFAULT_SEMANTIC_THRESHOLD, semantic: true }),
    quality: new OrganisationQuality(catalogQuality()),
    health: new HealthTracker(),
    loopGuard: new LoopGuard(),
    admitter: new LeaseAdmitter(db, { onCrossings: (crossings) => alertCrossingsLater(db, crossings) }),
    observeQuality(row, stored) {
      runtime.quality.observe(row);
      if (stored) return;
      if (liveSignals.length >= MAX_LIVE_SIGNALS) liveSignals.shift();
      liveSignals.push(row);
    },
    refreshQuality(history) {
      const quality = OrganisationQuality.fromHistory(catalogQuality(), history);
      for (const row of liveSignals) quality.observe(row);
      runtime.quality = quality;
    },
    writer: new LedgerWriter(db, { lingerMs: LEDGER_LINGER_MS, keepThroughOutages: true }),
    simulator,
    lastPrompt: new Map(),
    invalidate() {
      upstreamCache.clear();
      modelCache.clear();
    },
    async models(organisationId) {
      const book = await getPriceBook(db);
      const cached = modelCache.get(organisationId);
      if (cached && cached.book === book) return cached;
      const now = new Date();
      const models: RoutableModel[] = [];
      for (const m of CATALOG_MODELS) {
        const { billed } = choosePrices(book.pricesOf(m.id), { organisationId, at: now, promptTokens: 0, serviceTier: 'standard' });
        if (!billed) continue;
        models.push({
          id: m.id,
          provider: m.provider,
          name: m.name,
          tier: m.tier,
          contextWindow: m.contextWindow,
          maxOutputTokens: m.maxOutputTokens,
          inputNanoPerMtok: billed.price.inputPerMtok,
          outputNanoPerMtok: billed.price.outputPerMtok,
        });
      }
      const entry = { book, models };
      modelCache.set(organisationId, entry);
      return entry;
    },
    async upstreams(organisationId) {
      const now = Date.now();
      const cached = upstreamCache.get(organisationId);
      if (upstreamsFresh(cached, now)) return cached;
      const registry = await loadUpstreams(db, organisationId, simulator, now);
      upstreamCache.set(organisationId, registry);
      return registry;
    },
  };
  return runtime;
}

const globalForGateway = globalThis as unknown as { __tollgateGateway?: Promise<GatewayRuntime> };

async function start(): Promise<GatewayRuntime> {
  const db = await getDb();
  const runtime = buildRuntime(db);
  const refresh = async () => {
    try {
      runtime.refreshQuality(await loadQualityHistory(db));
    } catch (error) {
      console.error('[tollgate] loading quality feedback failed', error);
    }
  };
  // Ops unfroze a session (here, or elsewhere and this process read it): its next call starts a fresh loop history.
  onSessionUnfrozen((organisationId, sessionId) => runtime.loopGuard.reset(loopSessionKey(organisationId, sessionId)));
  await refresh();
  setInterval(() => void refresh(), QUALITY_REFRESH_MS).unref();
  startGovernanceTimers(db);
  // Holds left by requests that died (a crashed instance, a lost connection) are released.
  setInterval(() => {
    expireReservations(db, new Date()).catch((error: unknown) => console.error('[tollgate] expiring reservations failed', error));
    runtime.admitter.sweep();
  }, RESERVATION_SWEEP_MS).unref();
  return runtime;
}

export function getGateway(): Promise<GatewayRuntime> {
  globalForGateway.__tollgateGateway ??= start().catch((error: unknown) => {
    globalForGateway.__tollgateGateway = undefined;
    throw error;
  });
  return globalForGateway.__tollgateGateway;
}

/** Forget the process's gateway state (tests, and after the database is swapped). */
export function resetGateway(): void {
  globalForGateway.__tollgateGateway = undefined;
}
