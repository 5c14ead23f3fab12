/**
 * The demo data generator: a pure function from (seed, days, events, now) to
 * plain rows for every seeded table. All randomness comes from `Random(seed)`
 * and all time is relative to `now`, so the same arguments always give the
 * same rows.
 *
 * The ledger imitates ninety days of agent traffic at Northwind Mutual, a
 * bank-insurer: business-hours and weekly seasonality, mild growth, a chat
 * product launch thirty days ago, routine work on small models and complex
 * work on frontier ones, prompt caching, Tollgate cache hits, failed calls
 * with their retries, and a few runaway agent loops.
 */
import type {
  NewApiKey,
  NewBudget,
  NewDepartment,
  NewLedgerEvent,
  NewModel,
  NewModelPrice,
  NewOrganisation,
  NewProject,
  NewUser,
  NewWorkflowRun,
} from '@/db/schema';
import { apiKeyPrefix, hashApiKey } from '@/lib/auth/secrets';
import { CATALOG_EFFECTIVE_FROM, CATALOG_MODELS, PRICE_SOURCE, catalogRates, tierFor, type CatalogModel } from '@/lib/engine/catalog';
import { planCatalogImport, type ConvertedFeed } from '@/lib/engine/catalog-feed';
import type { Outcome, Provider, TaskType } from '@/lib/engine/enums';
import { NANO_PER_USD } from '@/lib/engine/money';
import { costNano, ZERO_TOKENS, type PriceRates, type TokenBuckets } from '@/lib/engine/pricing';
import { Random } from '@/lib/engine/random';
import {
  DEMO_ADMIN_KEY_ID,
  DEMO_AGENT_KEY_ID,
  DEMO_USERS,
  DEPARTMENTS,
  ORG_ID,
  ORG_NAME,
  OTHER_MANAGER,
  PROJECTS,
} from './fixtures';

export interface GenerateOptions {
  seed: number;
  /** Length of the history, in days, ending at `now`. */
  days: number;
  /** Exact number of ledger rows. */
  events: number;
  now: Date;
  /**
   * The public price catalog (db/catalog, converted): its models and list
   * prices are added after the built-in ones, which keep their ids; feed
   * prices equal to a built-in version are not repeated.
   */
  catalogFeed?: Pick<ConvertedFeed, 'models' | 'prices'>;
}

export interface DemoData {
  organisation: NewOrganisation;
  departments: NewDepartment[];
  projects: NewProject[];
  /** Every `passwordHash` is null; `loginUserIds` names the users who get the demo password. */
  users: NewUser[];
  loginUserIds: string[];
  /** Hashes of PRNG-made secrets; the seeder replaces the demo agent and admin keys' hash and prefix. */
  apiKeys: NewApiKey[];
  models: NewModel[];
  modelPrices: NewModelPrice[];
  ledgerEvents: NewLedgerEvent[];
  workflowRuns: NewWorkflowRun[];
  budgets: NewBudget[];
}

/** The admin sign-in (not in fixtures.ts). */
export const ADMIN_USER = { id: 'usr_admin', email: 'admin@example.com', name: 'Ada Brennan', role: 'admin' } as const;

const HOUR = 3_600_000;
const DAY = 86_400_000;
const MINUTE = 60_000;
/** Rows in an ordinary session, retries included (runaway sessions are the exception). */
const MAX_SESSION_ROWS = 20;

type DeptCode = (typeof DEPARTMENTS)[number]['code'];
type ProjectId = (typeof PROJECTS)[number]['id'];

// ---------------------------------------------------------------------------
// Small helpers

/** Weighted picks from a precomputed cumulative table. */
class Picker<T> {
  private readonly items: T[];
  private readonly cum: Float64Array;
  private readonly total: number;

  constructor(entries: readonly (readonly [T, number])[]) {
    this.items = entries.map(([item]) => item);
    this.cum = new Float64Array(entries.length);
    let sum = 0;
    entries.forEach(([, weight], i) => {
      sum += weight;
      this.cum[i] = sum;
    });
    this.total = sum;
  }

  pick(rng: Random): T {
    const r = rng.next() * this.total;
    const cum = this.cum;
    for (let i = 0; i < cum.length; i++) if (r < cum[i]!) return this.items[i]!;
    return this.items[this.items.length - 1]!;
  }
}

const uniform = (rng: Random, min: number, max: number) => min + rng.next() * (max - min);

const HEX_BYTES = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
/** `Random.hex`, without the intermediate strings: 8 hex characters per draw. */
function hexId(rng: Random, length: number): string {
  let out = '';
  while (out.length < length) {
    const x = Math.floor(rng.next() * 0x100000000);
    out += HEX_BYTES[x >>> 24]! + HEX_BYTES[(x >>> 16) & 255]! + HEX_BYTES[(x >>> 8) & 255]! + HEX_BYTES[x & 255]!;
  }
  return out.length === length ? out : out.slice(0, length);
}
const clamp = (x: number, min: number, max: number) => (x < min ? min : x > max ? max : x);
const usd = (dollars: number) => BigInt(Math.round(dollars * 100)) * (NANO_PER_USD / 100n);

/** Rounds a nano-dollar amount to two significant figures of whole dollars (at least $1). */
export function niceLimit(nano: bigint): bigint {
  const dollars = Number(nano) / 1e9;
  if (dollars < 10) return BigInt(Math.max(1, Math.round(dollars))) * NANO_PER_USD;
  const magnitude = 10 ** (Math.floor(Math.log10(dollars)) - 1);
  return BigInt(Math.round(dollars / magnitude) * magnitude) * NANO_PER_USD;
}

// ---------------------------------------------------------------------------
// The catalog as the generator needs it

interface PriceTier {
  contextTierMinTokens: number;
  priceId: number;
  rates: PriceRates;
}

interface ModelInfo {
  cat: CatalogModel;
  tiers: PriceTier[];
  /** Prompt-cache reads and writes billed as Anthropic bills them. */
  anthropicCache: boolean;
  /** Automatic prompt caching (OpenAI, Google): cache reads only. */
  autoCache: boolean;
  /** Always reasons (GPT-5 family). */
  reasoning: boolean;
  /** Extended thinking, switched on for some complex work (Claude, Gemini Pro). */
  thinking: boolean;
  longContext: boolean;
  maxPrompt: number;
  ttftMs: number;
  tokensPerSec: number;
}

const MODEL_SPEED: Record<string, [ttftMs: number, tokensPerSec: number]> = {
  'openai/gpt-5-nano': [450, 170],
  'openai/gpt-4.1-mini': [380, 120],
  'anthropic/claude-haiku-4-5': [420, 140],
  'google/gemini-2.5-flash': [380, 190],
  'self_hosted/llama-3.3-70b': [260, 55],
  'openai/gpt-5': [1100, 75],
  'anthropic/claude-sonnet-4-5': [900, 65],
  'anthropic/claude-opus-4-1': [1400, 38],
  'google/gemini-2.5-pro': [1000, 85],
};

function buildCatalog(feed?: Pick<ConvertedFeed, 'models' | 'prices'>): { models: NewModel[]; prices: NewModelPrice[]; info: Map<string, ModelInfo> } {
  const effectiveFrom = new Date(CATALOG_EFFECTIVE_FROM);
  const models: NewModel[] = [];
  const prices: NewModelPrice[] = [];
  const info = new Map<string, ModelInfo>();
  let priceId = 0;
  for (const m of CATALOG_MODELS) {
    models.push({
      id: m.id,
      provider: m.provider,
      name: m.name,
      displayName: m.displayName,
      tier: m.tier,
      contextWindow: m.contextWindow,
      maxOutputTokens: m.maxOutputTokens,
      quality: { ...m.quality },
      routable: true,
      createdAt: effectiveFrom,
    });
    const tiers: PriceTier[] = [];
    for (const p of m.prices) {
      priceId += 1;
      const rates = catalogRates(p);
      prices.push({
        id: priceId,
        modelId: m.id,
        kind: m.kind,
        organisationId: m.kind === 'amortised' ? ORG_ID : null,
        serviceTier: 'standard',
        contextTierMinTokens: p.contextTierMinTokens,
        effectiveFrom,
        ...rates,
        source: m.kind === 'amortised' ? 'amortised: GPU reservation / tokens served' : PRICE_SOURCE,
        createdAt: effectiveFrom,
      });
      tiers.push({ contextTierMinTokens: p.contextTierMinTokens, priceId, rates });
    }
    for (const p of m.serviceTierPrices ?? []) {
      priceId += 1;
      prices.push({
        id: priceId,
        modelId: m.id,
        kind: m.kind,
        organisationId: m.kind === 'amortised' ? ORG_ID : null,
        serviceTier: p.serviceTier,
        contextTierMinTokens: p.contextTierMinTokens,
        effectiveFrom,
        ...catalogRates(p),
        source: `${m.provider} ${p.serviceTier} pricing`,
        createdAt: effectiveFrom,
      });
    }
    const [ttftMs, tokensPerSec] = MODEL_SPEED[m.id] ?? [800, 80];
    info.set(m.id, {
      cat: m,
      tiers,
      anthropicCache: m.provider === 'anthropic',
      autoCache: m.provider === 'openai' || m.provider === 'google',
      reasoning: m.name.startsWith('gpt-5'),
      thinking: m.tier === 'frontier' && (m.provider === 'anthropic' || m.provider === 'google'),
      longContext: m.prices.some((p) => p.contextTierMinTokens > 0),
      maxPrompt: Math.floor(m.contextWindow * 0.9) - 8_192,
      ttftMs,
      tokensPerSec,
    });
  }
  if (feed) {
    // The rest of the public catalog, planned against the built-in rows exactly as an import into this database would be.
    const plan = planCatalogImport(feed, {
      models: models.map((m) => ({ id: m.id, displayName: m.displayName, contextWindow: m.contextWindow })),
      prices: prices.map((p) => ({
        modelId: p.modelId,
        kind: p.kind ?? 'list',
        organisationId: p.organisationId ?? null,
        serviceTier: p.serviceTier ?? 'standard',
        contextTierMinTokens: p.contextTierMinTokens ?? 0,
        effectiveFrom: p.effectiveFrom,
        inputPerMtok: p.inputPerMtok,
        cachedInputPerMtok: p.cachedInputPerMtok ?? null,
        cacheWrite5mPerMtok: p.cacheWrite5mPerMtok ?? null,
        cacheWrite1hPerMtok: p.cacheWrite1hPerMtok ?? null,
        outputPerMtok: p.outputPerMtok,
        reasoningPerMtok: p.reasoningPerMtok ?? null,
      })),
    });
    if (plan.conflicts.length > 0) {
      const c = plan.conflicts[0]!;
      throw new Error(`the catalog feed contradicts built-in price of ${c.modelId} (${plan.conflicts.length} conflicts): fix lib/engine/catalog.ts`);
    }
    for (const m of plan.insertModels) models.push({ ...m, provider: m.provider as Provider, createdAt: effectiveFrom });
    for (const p of plan.insertPrices) {
      priceId += 1;
      prices.push({ ...p, id: priceId, source: PRICE_SOURCE, createdAt: effectiveFrom });
    }
  }
  return { models, prices, info };
}

// ---------------------------------------------------------------------------
// The organisation's shape

interface TaskProfile {
  promptMedian: number;
  promptSigma: number;
  outputMedian: number;
  outputSigma: number;
  complex: boolean;
  /** Chance Tollgate's semantic cache answers the call. */
  cacheHit: number;
}

const TASKS: Record<TaskType, TaskProfile> = {
  summarize: { promptMedian: 6_000, promptSigma: 0.9, outputMedian: 450, outputSigma: 0.5, complex: false, cacheHit: 0.09 },
  classify: { promptMedian: 1_000, promptSigma: 0.7, outputMedian: 40, outputSigma: 0.6, complex: false, cacheHit: 0.23 },
  extract: { promptMedian: 7_000, promptSigma: 0.8, outputMedian: 700, outputSigma: 0.6, complex: false, cacheHit: 0.12 },
  support_reply: { promptMedian: 9_000, promptSigma: 0.6, outputMedian: 350, outputSigma: 0.5, complex: false, cacheHit: 0.34 },
  kyc_check: { promptMedian: 75_000, promptSigma: 0.5, outputMedian: 6_000, outputSigma: 0.5, complex: true, cacheHit: 0.01 },
  claims_adjust: { promptMedian: 100_000, promptSigma: 0.45, outputMedian: 7_500, outputSigma: 0.5, complex: true, cacheHit: 0.01 },
  underwrite: { promptMedian: 110_000, promptSigma: 0.45, outputMedian: 8_000, outputSigma: 0.5, complex: true, cacheHit: 0.005 },
  analysis: { promptMedian: 80_000, promptSigma: 0.55, outputMedian: 7_000, outputSigma: 0.55, complex: true, cacheHit: 0.03 },
  code: { promptMedian: 95_000, promptSigma: 0.55, outputMedian: 7_500, outputSigma: 0.6, complex: true, cacheHit: 0.02 },
  other: { promptMedian: 2_000, promptSigma: 0.8, outputMedian: 300, outputSigma: 0.6, complex: false, cacheHit: 0.06 },
};

interface DeptModels {
  small: Picker<string>;
  frontier: Picker<string>;
  /** Share of routine calls still sent to a frontier model (the savings opportunity). */
  routineFrontier: number;
  /** Share of complex calls routed down to a small model. */
  complexSmall: number;
}

const NANO = 'openai/gpt-5-nano';
const MINI = 'openai/gpt-4.1-mini';
const HAIKU = 'anthropic/claude-haiku-4-5';
const FLASH = 'google/gemini-2.5-flash';
const LLAMA = 'self_hosted/llama-3.3-70b';
const GPT5 = 'openai/gpt-5';
const SONNET = 'anthropic/claude-sonnet-4-5';
const OPUS = 'anthropic/claude-opus-4-1';
const GEMINI_PRO = 'google/gemini-2.5-pro';

const DEPT_MODELS: Record<DeptCode, DeptModels> = {
  claims: {
    small: new Picker([[NANO, 0.2], [MINI, 0.25], [HAIKU, 0.35], [FLASH, 0.17], [LLAMA, 0.03]]),
    frontier: new Picker([[SONNET, 0.38], [OPUS, 0.36], [GPT5, 0.16], [GEMINI_PRO, 0.1]]),
    routineFrontier: 0.14,
    complexSmall: 0.1,
  },
  underwriting: {
    small: new Picker([[NANO, 0.2], [MINI, 0.3], [HAIKU, 0.2], [FLASH, 0.27], [LLAMA, 0.03]]),
    frontier: new Picker([[GEMINI_PRO, 0.28], [SONNET, 0.24], [GPT5, 0.16], [OPUS, 0.32]]),
    routineFrontier: 0.12,
    complexSmall: 0.08,
  },
  kyc: {
    small: new Picker([[NANO, 0.25], [MINI, 0.33], [HAIKU, 0.1], [FLASH, 0.1], [LLAMA, 0.22]]),
    frontier: new Picker([[GPT5, 0.45], [SONNET, 0.22], [OPUS, 0.23], [GEMINI_PRO, 0.1]]),
    routineFrontier: 0.08,
    complexSmall: 0.1,
  },
  support: {
    small: new Picker([[NANO, 0.25], [MINI, 0.3], [HAIKU, 0.3], [FLASH, 0.15]]),
    frontier: new Picker([[SONNET, 0.45], [GPT5, 0.4], [GEMINI_PRO, 0.15]]),
    routineFrontier: 0.06,
    complexSmall: 0.2,
  },
  finance: {
    small: new Picker([[NANO, 0.2], [MINI, 0.35], [HAIKU, 0.15], [FLASH, 0.3]]),
    frontier: new Picker([[GPT5, 0.4], [SONNET, 0.35], [GEMINI_PRO, 0.15], [OPUS, 0.1]]),
    routineFrontier: 0.15,
    complexSmall: 0.1,
  },
  engineering: {
    small: new Picker([[NANO, 0.15], [MINI, 0.25], [HAIKU, 0.25], [FLASH, 0.1], [LLAMA, 0.25]]),
    frontier: new Picker([[SONNET, 0.52], [GPT5, 0.2], [OPUS, 0.28]]),
    routineFrontier: 0.15,
    complexSmall: 0.05,
  },
};

type Curve = 'business' | 'support' | 'engineering' | 'batch';

/** Relative volume by UTC hour of day (the bank works on UK time). */
const HOUR_CURVES: Record<Curve, number[]> = {
  business: [0.05, 0.04, 0.04, 0.04, 0.05, 0.1, 0.25, 0.55, 0.85, 1, 1, 0.95, 0.85, 0.95, 1, 0.95, 0.85, 0.6, 0.35, 0.2, 0.14, 0.1, 0.08, 0.06],
  support: [0.15, 0.1, 0.08, 0.08, 0.1, 0.15, 0.3, 0.6, 0.85, 0.95, 1, 1, 0.95, 0.95, 1, 1, 0.95, 0.85, 0.75, 0.65, 0.55, 0.45, 0.35, 0.22],
  engineering: [0.12, 0.12, 0.12, 0.12, 0.1, 0.08, 0.15, 0.4, 0.8, 1, 1, 0.95, 0.8, 0.95, 1, 1, 0.9, 0.75, 0.5, 0.35, 0.28, 0.22, 0.18, 0.14],
  batch: [0.5, 0.5, 0.5, 0.5, 0.4, 0.3, 0.4, 0.6, 0.9, 1, 1, 0.95, 0.9, 0.95, 1, 0.95, 0.9, 0.7, 0.5, 0.45, 0.45, 0.45, 0.5, 0.5],
};
const WEEKEND: Record<Curve, number> = { business: 0.25, support: 0.55, engineering: 0.22, batch: 0.7 };

interface ProjectSpec {
  id: ProjectId;
  agent: string;
  /** Relative session rate. */
  weight: number;
  tasks: [TaskType, number][];
  /** First and last call of a multi-call session (intake, case note). */
  intake?: TaskType;
  closing?: TaskType;
  /** Median calls per session. */
  sessionMedian: number;
  /** Seconds between calls of a session. */
  gapSec: [number, number];
  curve: Curve;
  /** Business workflow the sessions run (claims, KYC, underwriting work). */
  workflow?: string;
  /** Value of a resolved run, in dollars of handling cost avoided. */
  valueUsd?: [number, number];
  /** Context grows along an agent's session. */
  contextGrowth: number;
  launch?: boolean;
  monthEnd?: boolean;
}

const PROJECT_SPECS: ProjectSpec[] = [
  // Claims
  { id: 'prj_motor_claims', agent: 'claims-triage-bot', weight: 1.2, tasks: [['extract', 0.22], ['classify', 0.2], ['claims_adjust', 0.43], ['summarize', 0.15]], intake: 'extract', closing: 'summarize', sessionMedian: 5, gapSec: [3, 25], curve: 'business', workflow: 'motor_claim_triage', valueUsd: [8, 25], contextGrowth: 0.12 },
  { id: 'prj_property_claims', agent: 'property-adjuster-agent', weight: 0.7, tasks: [['extract', 0.2], ['claims_adjust', 0.5], ['summarize', 0.12], ['analysis', 0.18]], intake: 'extract', closing: 'summarize', sessionMedian: 6, gapSec: [4, 30], curve: 'business', workflow: 'property_claim_adjustment', valueUsd: [15, 40], contextGrowth: 0.12 },
  { id: 'prj_fraud_review', agent: 'fraud-signal-scanner', weight: 0.35, tasks: [['analysis', 0.55], ['classify', 0.2], ['extract', 0.12], ['summarize', 0.13]], intake: 'classify', sessionMedian: 4, gapSec: [3, 20], curve: 'business', workflow: 'claims_fraud_review', valueUsd: [20, 40], contextGrowth: 0.08 },
  // Underwriting
  { id: 'prj_sme_underwriting', agent: 'sme-underwriting-copilot', weight: 0.7, tasks: [['extract', 0.22], ['underwrite', 0.5], ['analysis', 0.16], ['summarize', 0.12]], intake: 'extract', closing: 'summarize', sessionMedian: 6, gapSec: [5, 40], curve: 'business', workflow: 'sme_underwriting', valueUsd: [12, 35], contextGrowth: 0.1 },
  { id: 'prj_life_underwriting', agent: 'life-uw-assistant', weight: 0.5, tasks: [['extract', 0.25], ['underwrite', 0.55], ['summarize', 0.2]], intake: 'extract', closing: 'summarize', sessionMedian: 5, gapSec: [5, 40], curve: 'business', workflow: 'life_underwriting', valueUsd: [10, 30], contextGrowth: 0.1 },
  { id: 'prj_risk_reports', agent: 'risk-report-writer', weight: 0.25, tasks: [['analysis', 0.6], ['summarize', 0.25], ['extract', 0.15]], sessionMedian: 4, gapSec: [10, 60], curve: 'business', workflow: 'broker_risk_report', valueUsd: [6, 20], contextGrowth: 0.1 },
  // KYC & Compliance
  { id: 'prj_onboarding_kyc', agent: 'kyc-onboarding-agent', weight: 0.8, tasks: [['extract', 0.3], ['kyc_check', 0.52], ['classify', 0.18]], intake: 'extract', sessionMedian: 4, gapSec: [2, 15], curve: 'support', workflow: 'kyc_onboarding', valueUsd: [6, 18], contextGrowth: 0.08 },
  { id: 'prj_aml_screening', agent: 'aml-alert-triage', weight: 0.65, tasks: [['classify', 0.4], ['kyc_check', 0.38], ['analysis', 0.22]], intake: 'classify', sessionMedian: 3, gapSec: [2, 12], curve: 'batch', workflow: 'aml_alert_review', valueUsd: [4, 12], contextGrowth: 0.05 },
  { id: 'prj_periodic_review', agent: 'periodic-review-agent', weight: 0.3, tasks: [['kyc_check', 0.4], ['summarize', 0.3], ['extract', 0.3]], intake: 'extract', closing: 'summarize', sessionMedian: 5, gapSec: [3, 20], curve: 'business', workflow: 'periodic_kyc_review', valueUsd: [5, 15], contextGrowth: 0.08 },
  // Customer Support
  { id: 'prj_chat_assist', agent: 'chat-assist-bot', weight: 1.5, tasks: [['support_reply', 0.72], ['classify', 0.18], ['summarize', 0.1]], sessionMedian: 3, gapSec: [15, 90], curve: 'support', contextGrowth: 0.25, launch: true },
  { id: 'prj_email_triage', agent: 'email-triage-bot', weight: 0.8, tasks: [['classify', 0.5], ['support_reply', 0.3], ['extract', 0.2]], intake: 'classify', sessionMedian: 2, gapSec: [2, 10], curve: 'support', contextGrowth: 0 },
  { id: 'prj_complaints', agent: 'complaints-summariser', weight: 0.35, tasks: [['summarize', 0.6], ['classify', 0.2], ['analysis', 0.2]], sessionMedian: 2, gapSec: [3, 20], curve: 'business', contextGrowth: 0 },
  { id: 'prj_voice_notes', agent: 'call-notes-summariser', weight: 0.5, tasks: [['summarize', 0.85], ['classify', 0.15]], sessionMedian: 1.3, gapSec: [2, 10], curve: 'support', contextGrowth: 0 },
  // Finance
  { id: 'prj_close_automation', agent: 'close-recon-agent', weight: 0.3, tasks: [['analysis', 0.4], ['extract', 0.3], ['summarize', 0.3]], sessionMedian: 6, gapSec: [5, 45], curve: 'business', contextGrowth: 0.1, monthEnd: true },
  { id: 'prj_invoice_extraction', agent: 'invoice-extractor', weight: 0.9, tasks: [['extract', 0.8], ['classify', 0.2]], intake: 'classify', sessionMedian: 2, gapSec: [1, 6], curve: 'business', contextGrowth: 0 },
  { id: 'prj_reg_reporting', agent: 'reg-report-drafter', weight: 0.15, tasks: [['analysis', 0.5], ['summarize', 0.5]], sessionMedian: 4, gapSec: [20, 120], curve: 'business', contextGrowth: 0.1, monthEnd: true },
  // Engineering
  { id: 'prj_dev_copilot', agent: 'dev-copilot', weight: 0.75, tasks: [['code', 0.88], ['analysis', 0.09], ['other', 0.03]], sessionMedian: 8, gapSec: [10, 120], curve: 'engineering', contextGrowth: 0.15 },
  { id: 'prj_incident_summaries', agent: 'incident-scribe', weight: 0.2, tasks: [['summarize', 0.6], ['analysis', 0.4]], sessionMedian: 3, gapSec: [5, 40], curve: 'engineering', contextGrowth: 0.05 },
  { id: 'prj_test_generation', agent: 'test-writer', weight: 0.35, tasks: [['code', 0.9], ['other', 0.1]], sessionMedian: 5, gapSec: [3, 30], curve: 'engineering', contextGrowth: 0.1 },
  { id: 'prj_data_catalog', agent: 'catalog-describer', weight: 0.3, tasks: [['summarize', 0.6], ['classify', 0.2], ['other', 0.2]], sessionMedian: 4, gapSec: [1, 8], curve: 'engineering', contextGrowth: 0 },
];

interface KeySpec {
  id: string;
  name: string;
  projectId: ProjectId;
  agent: string;
}

/** One agent key per a dozen projects, plus the demo agent key. */
const KEY_SPECS: KeySpec[] = [
  { id: DEMO_AGENT_KEY_ID, name: 'Claims triage bot', projectId: 'prj_motor_claims', agent: 'claims-triage-bot' },
  { id: 'key_claims_property', name: 'Property adjuster agent', projectId: 'prj_property_claims', agent: 'property-adjuster-agent' },
  { id: 'key_claims_fraud', name: 'Fraud signal scanner', projectId: 'prj_fraud_review', agent: 'fraud-signal-scanner' },
  { id: 'key_uw_sme', name: 'SME underwriting copilot', projectId: 'prj_sme_underwriting', agent: 'sme-underwriting-copilot' },
  { id: 'key_uw_life', name: 'Life underwriting assistant', projectId: 'prj_life_underwriting', agent: 'life-uw-assistant' },
  { id: 'key_kyc_onboarding', name: 'KYC onboarding agent', projectId: 'prj_onboarding_kyc', agent: 'kyc-onboarding-agent' },
  { id: 'key_kyc_aml', name: 'AML alert triage', projectId: 'prj_aml_screening', agent: 'aml-alert-triage' },
  { id: 'key_support_chat', name: 'Chat assist bot', projectId: 'prj_chat_assist', agent: 'chat-assist-bot' },
  { id: 'key_support_email', name: 'Email triage bot', projectId: 'prj_email_triage', agent: 'email-triage-bot' },
  { id: 'key_fin_close', name: 'Close reconciliation agent', projectId: 'prj_close_automation', agent: 'close-recon-agent' },
  { id: 'key_fin_invoices', name: 'Invoice extractor', projectId: 'prj_invoice_extraction', agent: 'invoice-extractor' },
  { id: 'key_eng_copilot', name: 'Developer copilot', projectId: 'prj_dev_copilot', agent: 'dev-copilot' },
  { id: 'key_eng_testgen', name: 'Test writer', projectId: 'prj_test_generation', agent: 'test-writer' },
];
/** The chat bot that chat-assist replaced at the launch; its key was revoked three days after. */
const LEGACY_KEY = { id: 'key_support_legacy', name: 'Support bot v1 (retired)', projectId: 'prj_chat_assist', agent: 'support-bot-v1' } as const;

/** Projects without a key of their own call through a department colleague's key. */
const SHARED_KEY: Partial<Record<ProjectId, string>> = {
  prj_risk_reports: 'key_uw_sme',
  prj_periodic_review: 'key_kyc_onboarding',
  prj_complaints: 'key_support_email',
  prj_voice_notes: 'key_support_email',
  prj_reg_reporting: 'key_fin_close',
  prj_incident_summaries: 'key_eng_copilot',
  prj_data_catalog: 'key_eng_copilot',
};

const OUTCOME_PICKER = new Picker<Outcome>([
  ['resolved', 0.8],
  ['escalated', 0.12],
  ['failed', 0.08],
]);
const OUTCOME_NOTES: Record<Outcome, string[]> = {
  resolved: ['auto-resolved', 'straight-through', 'resolved, handler confirmed'],
  escalated: ['escalated to a human handler', 'referred: confidence below threshold', 'escalated: missing documents'],
  failed: ['failed: document unreadable', 'failed: upstream timeout', 'failed: customer record not found'],
};

interface DeptBudgetSpec {
  target: number;
  enforcement: 'hard' | 'soft';
}
/** Month-to-date use of each department's monthly budget the seed aims for. */
const DEPT_BUDGETS: Record<DeptCode, DeptBudgetSpec> = {
  claims: { target: 0.92, enforcement: 'hard' },
  underwriting: { target: 0.64, enforcement: 'soft' },
  kyc: { target: 0.48, enforcement: 'hard' },
  support: { target: 1.05, enforcement: 'soft' },
  finance: { target: 0.35, enforcement: 'hard' },
  engineering: { target: 0.78, enforcement: 'soft' },
};
const ORG_BUDGET_TARGET = 0.74;

// ---------------------------------------------------------------------------
// People

const FIRST_NAMES = [
  'Aisha', 'Ben', 'Chloe', 'Daniel', 'Elena', 'Farid', 'Grace', 'Hugo', 'Isla', 'Jonas', 'Kemi', 'Liam', 'Mei',
  'Nadia', 'Oscar', 'Petra', 'Quentin', 'Rosa', 'Samir', 'Tara', 'Umar', 'Vera', 'Wei', 'Xavier', 'Yara', 'Zoe',
  'Anton', 'Bianca', 'Callum', 'Dana', 'Emeka', 'Freya', 'Gabriel', 'Hana', 'Ivan', 'Julia',
];
const LAST_NAMES = [
  'Adeyemi', 'Brooks', 'Castillo', 'Dubois', 'Eriksen', 'Fischer', 'Gallagher', 'Hughes', 'Ito', 'Jansen', 'Kowalski',
  'Lopez', 'Murphy', 'Novak', "O'Neill", 'Perera', 'Quinn', 'Rossi', 'Sato', 'Thompson', 'Usman', 'Varga', 'Walsh',
  'Xu', 'Young', 'Zimmermann', 'Ahmed', 'Bakker', 'Chen', 'Dimitrov',
];

const DEPT_MANAGER_NAMES: Record<DeptCode, string> = {
  claims: DEMO_USERS.manager.name,
  underwriting: OTHER_MANAGER.name,
  kyc: 'Priya Raman',
  support: 'Tomás Herrera',
  finance: 'Hannah Whitfield',
  engineering: 'Kofi Mensah',
};
const STAFF_PER_DEPT: Record<DeptCode, number> = { claims: 7, underwriting: 5, kyc: 5, support: 7, finance: 3, engineering: 4 };

function slug(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '');
}

// ---------------------------------------------------------------------------
// The generator

interface RunState {
  id: string;
  departmentId: string;
  projectId: string;
  workflow: string;
  firstMs: number;
  lastMs: number;
  valueUsd: [number, number];
  forced?: Outcome;
  note?: string;
}

export function generateDemoData(options: GenerateOptions): DemoData {
  const { seed, days, events, now } = options;
  if (!Number.isInteger(days) || days < 1) throw new RangeError(`days must be a positive integer, got ${days}`);
  if (!Number.isInteger(events) || events < 0) throw new RangeError(`events must be a non-negative integer, got ${events}`);
  if (Number.isNaN(now.getTime())) throw new RangeError('now is not a valid date');

  const nowMs = now.getTime();
  const startMs = nowMs - days * DAY;
  const launchMs = Math.floor((nowMs - 30 * DAY) / DAY) * DAY + 9 * HOUR;
  const setupAt = new Date(Math.min(startMs, launchMs) - 45 * DAY);

  // Independent streams, so a change to one part does not reshuffle the others.
  const rngPeople = new Random(seed);
  const rngKeys = new Random((seed ^ 0x6b657973) >>> 0);
  const rng = new Random((seed ^ 0x1ed9e700) >>> 0);

  // --- organisation, departments, projects
  const organisation: NewOrganisation = { id: ORG_ID, name: ORG_NAME, slug: 'northwind', currency: 'USD', createdAt: setupAt };
  const departments: NewDepartment[] = DEPARTMENTS.map((d) => ({
    id: d.id,
    organisationId: ORG_ID,
    name: d.name,
    code: d.code,
    costCenter: d.costCenter,
    createdAt: setupAt,
  }));
  const projects: NewProject[] = PROJECTS.map((p) => ({
    id: p.id,
    organisationId: ORG_ID,
    departmentId: p.departmentId,
    name: p.name,
    code: p.code,
    client: p.client,
    createdAt: setupAt,
  }));
  const deptCodeById = new Map<string, DeptCode>(DEPARTMENTS.map((d) => [d.id, d.code]));

  // --- users
  const users: NewUser[] = [];
  const usersByDept = new Map<string, string[]>();
  const managerByDept = new Map<string, string>();
  const addUser = (u: Omit<NewUser, 'organisationId'>) => {
    users.push({ organisationId: ORG_ID, passwordHash: null, createdAt: setupAt, ...u });
    if (u.departmentId) {
      const list = usersByDept.get(u.departmentId) ?? [];
      list.push(u.id);
      usersByDept.set(u.departmentId, list);
    }
  };
  const loginUserIds: string[] = [];
  for (const demo of [DEMO_USERS.cfo, DEMO_USERS.ops, DEMO_USERS.manager, OTHER_MANAGER]) {
    addUser({ id: demo.id, email: demo.email, name: demo.name, role: demo.role, departmentId: demo.departmentId });
    loginUserIds.push(demo.id);
  }
  addUser({ id: ADMIN_USER.id, email: ADMIN_USER.email, name: ADMIN_USER.name, role: ADMIN_USER.role, departmentId: null });
  loginUserIds.push(ADMIN_USER.id);
  managerByDept.set(DEMO_USERS.manager.departmentId, DEMO_USERS.manager.id);
  managerByDept.set(OTHER_MANAGER.departmentId, OTHER_MANAGER.id);
  for (const d of DEPARTMENTS) {
    if (managerByDept.has(d.id)) continue;
    const id = `usr_manager_${d.code}`;
    addUser({ id, email: `${d.code}.manager@example.com`, name: DEPT_MANAGER_NAMES[d.code], role: 'manager', departmentId: d.id });
    managerByDept.set(d.id, id);
    loginUserIds.push(id);
  }
  const takenNames = new Set(users.map((u) => u.name));
  for (const d of DEPARTMENTS) {
    for (let i = 0; i < STAFF_PER_DEPT[d.code]; i++) {
      let first = '';
      let last = '';
      do {
        first = rngPeople.pick(FIRST_NAMES);
        last = rngPeople.pick(LAST_NAMES);
      } while (takenNames.has(`${first} ${last}`));
      takenNames.add(`${first} ${last}`);
      const handle = `${slug(first)}.${slug(last)}`;
      addUser({
        id: `usr_${handle.replace('.', '_')}`,
        email: `${handle}@example.com`,
        name: `${first} ${last}`,
        role: 'manager',
        departmentId: d.id,
        createdAt: new Date(setupAt.getTime() + rngPeople.int(0, 40) * DAY),
      });
    }
  }

  // --- API keys
  const projectById = new Map<string, (typeof PROJECTS)[number]>(PROJECTS.map((p) => [p.id, p]));
  const secret = () => {
    let body = '';
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    for (let i = 0; i < 40; i++) body += alphabet[Math.floor(rngKeys.next() * alphabet.length)];
    return `tg_${body}`;
  };
  const apiKeys: NewApiKey[] = [];
  const keyCreatedAt = new Date(startMs - 20 * DAY);
  const chatKeyCreatedAt = new Date(Math.max(launchMs - 2 * DAY, keyCreatedAt.getTime()));
  const legacyRevokedMs = launchMs + 3 * DAY;
  for (const k of [...KEY_SPECS, LEGACY_KEY]) {
    const project = projectById.get(k.projectId)!;
    const key = secret();
    apiKeys.push({
      id: k.id,
      organisationId: ORG_ID,
      name: k.name,
      prefix: apiKeyPrefix(key),
      hash: hashApiKey(key),
      role: 'agent',
      departmentId: project.departmentId,
      projectId: project.id,
      userId: managerByDept.get(project.departmentId) ?? null,
      agent: k.agent,
      createdAt: k.id === 'key_support_chat' ? chatKeyCreatedAt : k.id === LEGACY_KEY.id ? setupAt : keyCreatedAt,
      createdBy: DEMO_USERS.ops.id,
      revokedAt: k.id === LEGACY_KEY.id ? new Date(legacyRevokedMs) : null,
      lastUsedAt: null,
    });
  }
  {
    const key = secret();
    apiKeys.push({
      id: DEMO_ADMIN_KEY_ID,
      organisationId: ORG_ID,
      name: 'Ops automation (admin)',
      prefix: apiKeyPrefix(key),
      hash: hashApiKey(key),
      role: 'ops',
      departmentId: null,
      projectId: null,
      userId: DEMO_USERS.ops.id,
      agent: null,
      createdAt: keyCreatedAt,
      createdBy: DEMO_USERS.ops.id,
      revokedAt: null,
      lastUsedAt: null,
    });
  }
  const keyOfProject = new Map<string, string>();
  for (const k of KEY_SPECS) keyOfProject.set(k.projectId, k.id);
  for (const [projectId, keyId] of Object.entries(SHARED_KEY)) keyOfProject.set(projectId, keyId);

  // --- catalog
  const catalog = buildCatalog(options.catalogFeed);
  const modelInfo = catalog.info;
  const model = (id: string) => modelInfo.get(id)!;
  const effectiveFromMs = new Date(CATALOG_EFFECTIVE_FROM).getTime();

  // --- the traffic curve: hourly slots, each with its per-project session rates
  const specs = PROJECT_SPECS;
  const P = specs.length;
  const taskPickers = specs.map((s) => new Picker(s.tasks));
  const firstHour = Math.floor(startMs / HOUR);
  const endHour = Math.ceil(nowMs / HOUR);
  const S = Math.max(1, endHour - firstHour);
  const slotCum = new Float64Array(S);
  const slotProjectCum = new Float64Array(S * P);
  const dayNoise: number[] = [];
  for (let d = 0; d <= days + 1; d++) dayNoise.push(rng.logNormal(1, 0.07));
  let totalWeight = 0;
  for (let s = 0; s < S; s++) {
    const hourStart = (firstHour + s) * HOUR;
    const from = Math.max(hourStart, startMs);
    const to = Math.min(hourStart + HOUR, nowMs);
    const frac = Math.max(0, to - from) / HOUR;
    const date = new Date(hourStart);
    const hour = date.getUTCHours();
    const dow = date.getUTCDay();
    const weekend = dow === 0 || dow === 6;
    const dom = date.getUTCDate();
    const dim = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
    const monthEnd = dom >= dim - 2 || dom <= 3;
    const elapsed = (from - startMs) / DAY;
    const growth = 1 + 0.1 * (elapsed / 30);
    const noise = dayNoise[Math.floor(elapsed)] ?? 1;
    let sum = 0;
    for (let p = 0; p < P; p++) {
      const spec = specs[p]!;
      let w = spec.weight * HOUR_CURVES[spec.curve][hour]!;
      if (weekend) w *= WEEKEND[spec.curve];
      if (spec.launch && hourStart >= launchMs) w *= 1.8;
      if (spec.monthEnd && monthEnd) w *= 3.5;
      sum += w;
      slotProjectCum[s * P + p] = sum;
    }
    totalWeight += sum * growth * noise * frac;
    slotCum[s] = totalWeight;
  }

  const sampleTime = (): number => {
    const r = rng.next() * totalWeight;
    let lo = 0;
    let hi = S - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (slotCum[mid]! > r) hi = mid;
      else lo = mid + 1;
    }
    const hourStart = (firstHour + lo) * HOUR;
    const from = Math.max(hourStart, startMs);
    const to = Math.min(hourStart + HOUR, nowMs);
    return from + rng.next() * (to - from);
  };
  const sampleProject = (t: number): number => {
    const s = clamp(Math.floor(t / HOUR) - firstHour, 0, S - 1);
    const base = s * P;
    const r = rng.next() * slotProjectCum[base + P - 1]!;
    for (let p = 0; p < P; p++) if (r < slotProjectCum[base + p]!) return p;
    return P - 1;
  };

  // --- rows
  const ledgerEvents: NewLedgerEvent[] = [];
  const runs: RunState[] = [];
  const tokens: TokenBuckets = { ...ZERO_TOKENS };

  interface Session {
    spec: ProjectSpec;
    departmentId: string;
    deptCode: DeptCode;
    userId: string;
    apiKeyId: string | null;
    agent: string;
    sessionId: string;
    run: RunState | null;
    /** Share of routine calls sent to a frontier model. */
    routineFrontier: number;
  }

  // Rows of the session being built, with their offsets from its start.
  let sessRows: NewLedgerEvent[] = [];
  let sessOffsets: number[] = [];

  const newId = () => `evt_${hexId(rng, 24)}`;

  const newRow = (sess: Session, m: ModelInfo, task: TaskType, offset: number): NewLedgerEvent => {
    const id = newId();
    const row: NewLedgerEvent = {
      id,
      idempotencyKey: id,
      organisationId: ORG_ID,
      occurredAt: now,
      recordedAt: now,
      source: 'seed',
      provider: m.cat.provider,
      modelName: m.cat.name,
      modelId: m.cat.id,
      tier: m.cat.tier,
      serviceTier: 'standard',
      departmentId: sess.departmentId,
      projectId: sess.spec.id,
      userId: sess.userId,
      apiKeyId: sess.apiKeyId,
      agent: sess.agent,
      sessionId: sess.sessionId,
      workflowRunId: sess.run?.id ?? null,
      taskType: task,
      ...ZERO_TOKENS,
      costNano: 0n,
      listCostNano: 0n,
      savedNano: 0n,
      priceId: m.tiers[0]!.priceId,
      priceStatus: 'priced',
      costSource: 'estimated',
      status: 'ok',
      httpStatus: 200,
      errorType: null,
      cacheHit: null,
      attempt: 1,
      retryOf: null,
      routeReason: null,
      latencyMs: 0,
      overheadMs: Math.round(uniform(rng, 0.8, 4.5) * 10) / 10,
    };
    sessRows.push(row);
    sessOffsets.push(offset);
    return row;
  };

  /** Draws token buckets into `tokens` for a call of `task` on `m`; returns the prompt size. */
  const drawTokens = (m: ModelInfo, task: TaskType, callIndex: number, growth: number, allowLong: boolean): number => {
    const tp = TASKS[task];
    const cap = Math.min(m.maxPrompt, 190_000);
    let prompt = rng.logNormal(tp.promptMedian * (1 + growth * callIndex), tp.promptSigma);
    if (prompt > cap) prompt = uniform(rng, cap * 0.5, cap);
    if (allowLong && m.longContext && tp.complex && rng.chance(0.008)) {
      prompt = uniform(rng, 205_000, Math.min(m.maxPrompt, 820_000));
    }
    const promptTokens = Math.max(40, Math.round(prompt));
    const output = Math.max(3, Math.min(Math.round(rng.logNormal(tp.outputMedian, tp.outputSigma)), Math.floor(m.cat.maxOutputTokens / 4)));
    tokens.inputTokens = promptTokens;
    tokens.cachedInputTokens = 0;
    tokens.cacheWrite5mTokens = 0;
    tokens.cacheWrite1hTokens = 0;
    tokens.outputTokens = output;
    tokens.reasoningTokens = 0;
    if (m.reasoning) {
      tokens.reasoningTokens = Math.round(output * (tp.complex ? uniform(rng, 2, 7) : uniform(rng, 0.2, 1.5)));
    } else if (m.thinking && tp.complex && rng.chance(0.75)) {
      tokens.reasoningTokens = Math.round(output * uniform(rng, 1, 4));
    }
    return promptTokens;
  };

  /** Splits the prompt into cache reads and writes the way the provider bills them. */
  const applyPromptCache = (m: ModelInfo, promptTokens: number, callIndex: number) => {
    if (promptTokens < 1_024) return;
    if (m.anthropicCache) {
      if (callIndex === 0 || rng.chance(0.08)) {
        if (rng.chance(0.6)) {
          const write = Math.round(promptTokens * uniform(rng, 0.45, 0.85));
          if (rng.chance(0.25)) tokens.cacheWrite1hTokens = write;
          else tokens.cacheWrite5mTokens = write;
          tokens.inputTokens = promptTokens - write;
        }
      } else if (rng.chance(0.5)) {
        const read = Math.round(promptTokens * uniform(rng, 0.3, 0.8));
        tokens.cachedInputTokens = read;
        tokens.inputTokens = promptTokens - read;
      }
    } else if (m.autoCache && callIndex > 0 && rng.chance(0.35)) {
      const read = Math.floor((promptTokens * uniform(rng, 0.3, 0.85)) / 128) * 128;
      tokens.cachedInputTokens = read;
      tokens.inputTokens = promptTokens - read;
    }
  };

  const price = (m: ModelInfo, promptTokens: number): PriceTier => tierFor(m.tiers, promptTokens) ?? m.tiers[0]!;

  const fillTokens = (row: NewLedgerEvent) => {
    row.inputTokens = tokens.inputTokens;
    row.cachedInputTokens = tokens.cachedInputTokens;
    row.cacheWrite5mTokens = tokens.cacheWrite5mTokens;
    row.cacheWrite1hTokens = tokens.cacheWrite1hTokens;
    row.outputTokens = tokens.outputTokens;
    row.reasoningTokens = tokens.reasoningTokens;
  };

  const latencyFor = (m: ModelInfo, promptTokens: number): number => {
    const generated = tokens.outputTokens + tokens.reasoningTokens;
    const uncached = promptTokens - tokens.cachedInputTokens;
    const ms = m.ttftMs * uniform(rng, 0.7, 1.6) + (uncached / 12_000) * 1_000 + (generated / m.tokensPerSec) * 1_000;
    return Math.round(Math.min(ms, 170_000));
  };

  const routeReason = (sess: Session, m: ModelInfo, task: TaskType, promptTokens: number): string => {
    const complex = TASKS[task].complex;
    if (promptTokens >= 200_000) return `auto: long context (${Math.round(promptTokens / 1000)}k tokens) needs a 1M window`;
    if (m.cat.provider === 'self_hosted') {
      return sess.deptCode === 'kyc' ? 'policy: data residency requires self-hosted model' : `auto: self-hosted capacity available for ${task}`;
    }
    if (m.cat.tier === 'small') {
      if (complex) return `auto: downgraded to ${m.cat.name} under budget pressure (quality 0.75 for ${task})`;
      const q = task === 'classify' ? '0.85' : task === 'support_reply' ? '0.88' : '0.85';
      return `auto: cheapest model meeting quality ${q} for ${task}`;
    }
    if (!complex) return sess.spec.launch ? `pinned: chat-assist launch config uses ${m.cat.name}` : `pinned: project default ${m.cat.name}`;
    if (task === 'code') return `pinned: ${sess.spec.agent} requires ${m.cat.name}`;
    return `policy: frontier tier required for ${task}`;
  };

  /** The model the router picked: small for routine work, frontier for complex work, with some leakage. */
  const chooseModel = (sess: Session, task: TaskType): ModelInfo => {
    const dm = DEPT_MODELS[sess.deptCode];
    let frontier: boolean;
    if (!TASKS[task].complex) frontier = rng.chance(sess.routineFrontier);
    else if (task === 'code' && sess.deptCode === 'engineering') frontier = true;
    else frontier = !rng.chance(dm.complexSmall);
    return model((frontier ? dm.frontier : dm.small).pick(rng));
  };

  /** One successful model call (or cache hit) at `offset`; returns its latency. */
  const emitCall = (sess: Session, task: TaskType, k: number, offset: number, forceModel?: ModelInfo, attempt = 1, retryOf: string | null = null, reason?: string): number => {
    const tp = TASKS[task];
    const m = forceModel ?? chooseModel(sess, task);
    const isCacheHit = attempt === 1 && rng.chance(tp.cacheHit);
    const promptTokens = drawTokens(m, task, k, sess.spec.contextGrowth, !isCacheHit);
    const tier = price(m, promptTokens);
    const row = newRow(sess, m, task, offset);
    row.attempt = attempt;
    row.retryOf = retryOf;
    row.priceId = tier.priceId;
    if (isCacheHit) {
      // As the gateway writes a hit: no tokens (no provider used any), and what the call would have cost as saved.
      row.tier = 'cache';
      row.cacheHit = 'semantic';
      row.savedNano = costNano(tokens, tier.rates);
      row.latencyMs = Math.round(uniform(rng, 6, 45));
      row.routeReason = `cache: semantic match ${uniform(rng, 0.93, 0.995).toFixed(3)}`;
      return row.latencyMs;
    }
    applyPromptCache(m, promptTokens, k);
    fillTokens(row);
    const cost = costNano(tokens, tier.rates);
    row.costNano = cost;
    row.listCostNano = cost;
    if (sess.spec.id === 'prj_chat_assist' || task === 'support_reply' || task === 'classify') row.cacheHit = 'miss';
    row.latencyMs = latencyFor(m, promptTokens);
    row.routeReason = reason ?? routeReason(sess, m, task, promptTokens);
    return row.latencyMs;
  };

  /** A failed attempt and its retry; returns the time the retry took to finish after `offset`. */
  const emitFailureAndRetry = (sess: Session, task: TaskType, k: number, offset: number): number => {
    const m = chooseModel(sess, task);
    const row = newRow(sess, m, task, offset);
    let kind: 'overloaded' | 'rate_limited' | 'server_error';
    const r = rng.next();
    if (m.cat.provider === 'anthropic' && r < 0.45) kind = 'overloaded';
    else if (r < 0.7) kind = 'rate_limited';
    else kind = 'server_error';
    row.status = 'error';
    row.httpStatus = kind === 'overloaded' ? 529 : kind === 'rate_limited' ? 429 : 500;
    row.errorType = kind;
    row.routeReason = routeReason(sess, m, task, 0);
    row.latencyMs = Math.round(
      kind === 'rate_limited' ? uniform(rng, 40, 300) : kind === 'overloaded' ? uniform(rng, 300, 2_500) : uniform(rng, 800, 30_000),
    );
    const backoff = Math.round(uniform(rng, 500, 8_000));
    const retryAt = offset + row.latencyMs + backoff;
    let retryModel = m;
    let reason = `retry: upstream ${row.httpStatus} ${kind.replace('_', ' ')}, attempt 2`;
    if (kind === 'overloaded' && rng.chance(0.4)) {
      retryModel = model(m.cat.tier === 'frontier' ? GPT5 : MINI);
      reason = `fallback: ${m.cat.name} overloaded (529), retried on ${retryModel.cat.name}`;
    }
    const latency = emitCall(sess, task, k, retryAt, retryModel, 2, row.id, reason);
    return retryAt - offset + latency;
  };

  const finishSession = (sess: Session, startAt: number) => {
    // Keep every call in the past: shift a session that would run past `now` back.
    let end = startAt;
    for (let i = 0; i < sessRows.length; i++) end = Math.max(end, startAt + sessOffsets[i]! + (sessRows[i]!.latencyMs ?? 0));
    const base = end >= nowMs ? startAt - (end - nowMs) - Math.round(uniform(rng, 500, 30_000)) : startAt;
    let first = Infinity;
    let last = -Infinity;
    for (let i = 0; i < sessRows.length; i++) {
      const row = sessRows[i]!;
      const at = base + sessOffsets[i]!;
      row.occurredAt = new Date(at);
      row.recordedAt = new Date(at + (row.latencyMs ?? 0) + 40);
      if (at < effectiveFromMs) row.priceStatus = 'earliest_known';
      if (at < first) first = at;
      if (at + (row.latencyMs ?? 0) > last) last = at + (row.latencyMs ?? 0);
      ledgerEvents.push(row);
    }
    if (sess.run && sessRows.length > 0) {
      sess.run.firstMs = first;
      sess.run.lastMs = last;
      runs.push(sess.run);
    }
    sessRows = [];
    sessOffsets = [];
  };

  const chatKeyFor = (t: number): [string, string] => {
    if (t < launchMs) return [LEGACY_KEY.id, LEGACY_KEY.agent];
    if (t < legacyRevokedMs && rng.chance(0.5)) return [LEGACY_KEY.id, LEGACY_KEY.agent];
    return ['key_support_chat', 'chat-assist-bot'];
  };

  const newSession = (p: number, t: number, userId?: string): Session => {
    const spec = specs[p]!;
    const project = projectById.get(spec.id)!;
    const deptCode = deptCodeById.get(project.departmentId)!;
    let apiKeyId = keyOfProject.get(spec.id) ?? null;
    let agent = spec.agent;
    if (spec.id === 'prj_chat_assist') [apiKeyId, agent] = chatKeyFor(t);
    const run: RunState | null =
      spec.workflow && rng.chance(0.92)
        ? {
            id: `run_${hexId(rng, 16)}`,
            departmentId: project.departmentId,
            projectId: spec.id,
            workflow: spec.workflow,
            firstMs: t,
            lastMs: t,
            valueUsd: spec.valueUsd ?? [4, 40],
          }
        : null;
    return {
      spec,
      departmentId: project.departmentId,
      deptCode,
      userId: userId ?? rng.pick(usersByDept.get(project.departmentId)!),
      apiKeyId,
      agent,
      sessionId: `ses_${hexId(rng, 16)}`,
      run,
      // Chat assist launched pinned to a frontier model for its replies.
      routineFrontier: spec.launch && t >= launchMs ? 0.5 : DEPT_MODELS[deptCode].routineFrontier,
    };
  };

  // --- runaway agent sessions: one session, 150-400 near-identical frontier calls in 30-90 minutes
  interface RunawaySpec {
    projectId: ProjectId;
    model: string;
    task: TaskType;
    promptBase: number;
  }
  const RUNAWAYS: RunawaySpec[] = [
    { projectId: 'prj_motor_claims', model: SONNET, task: 'claims_adjust', promptBase: 64_000 },
    { projectId: 'prj_dev_copilot', model: GPT5, task: 'code', promptBase: 55_000 },
    { projectId: 'prj_onboarding_kyc', model: OPUS, task: 'kyc_check', promptBase: 30_000 },
    { projectId: 'prj_sme_underwriting', model: GEMINI_PRO, task: 'underwrite', promptBase: 70_000 },
    { projectId: 'prj_close_automation', model: GPT5, task: 'analysis', promptBase: 38_000 },
  ];
  const runawayPlans: { spec: RunawaySpec; calls: number }[] = [];
  if (events >= 3_000 && days >= 2) {
    const count = rng.int(3, 5);
    const budget = Math.floor(events * 0.06);
    let used = 0;
    for (let i = 0; i < count; i++) {
      const calls = Math.min(rng.int(150, 400), budget - used);
      if (calls < 150) break;
      runawayPlans.push({ spec: RUNAWAYS[i]!, calls });
      used += calls;
    }
  }
  const runawayRows = runawayPlans.reduce((sum, r) => sum + r.calls, 0);

  // --- normal traffic, until exactly `events - runawayRows` rows
  const normalTarget = events - runawayRows;
  let produced = 0;
  let firstSession = true;
  while (produced < normalTarget) {
    // The first session lands in the last hour so the dashboards have something live.
    const t = firstSession ? nowMs - rng.int(3, 50) * MINUTE : sampleTime();
    firstSession = false;
    const p = sampleProject(t);
    const sess = newSession(p, t);
    const spec = sess.spec;
    const wanted = clamp(Math.round(rng.logNormal(spec.sessionMedian, 0.55)), 1, 20);
    let offset = 0;
    let rowsInSession = 0;
    for (let k = 0; k < wanted; k++) {
      const remaining = normalTarget - produced - rowsInSession;
      if (remaining <= 0 || rowsInSession >= MAX_SESSION_ROWS) break;
      let task: TaskType;
      if (k === 0 && spec.intake && wanted > 1) task = spec.intake;
      else if (k === wanted - 1 && spec.closing && wanted >= 3) task = spec.closing;
      else task = taskPickers[p]!.pick(rng);
      let took: number;
      if (remaining >= 2 && rowsInSession + 2 <= MAX_SESSION_ROWS && rng.chance(0.0205)) {
        took = emitFailureAndRetry(sess, task, k, offset);
        rowsInSession += 2;
      } else {
        took = emitCall(sess, task, k, offset);
        rowsInSession += 1;
      }
      offset += took + Math.round(uniform(rng, spec.gapSec[0], spec.gapSec[1]) * 1000);
    }
    produced += rowsInSession;
    finishSession(sess, t);
  }

  // --- runaways
  runawayPlans.forEach((plan, i) => {
    const p = specs.findIndex((s) => s.id === plan.spec.projectId);
    const spec = specs[p]!;
    const durationMs = uniform(rng, 30, 90) * MINUTE;
    // The Claims loop happened yesterday during office hours (the demo story); the others earlier in the window.
    let start: number;
    if (i === 0) start = Math.floor(nowMs / DAY) * DAY - DAY + uniform(rng, 8, 16) * HOUR;
    else {
      const day = Math.floor((startMs + DAY + rng.next() * Math.max(0, nowMs - startMs - 4 * DAY)) / DAY) * DAY;
      start = day + uniform(rng, 8, 16) * HOUR;
    }
    start = clamp(start, startMs, nowMs - durationMs - 5 * MINUTE);
    const project = projectById.get(spec.id)!;
    const owner = keyOfProject.has(spec.id) ? managerByDept.get(project.departmentId) : undefined;
    const sess = newSession(p, start, owner);
    if (sess.run) {
      sess.run.forced = 'failed';
      sess.run.note = 'agent loop: repeated the same tool call until stopped';
    }
    const m = model(plan.spec.model);
    const step = durationMs / plan.calls;
    const outBase = TASKS[plan.spec.task].outputMedian * 0.6;
    const reason = routeReason(sess, m, plan.spec.task, plan.spec.promptBase);
    for (let k = 0; k < plan.calls; k++) {
      const promptTokens = Math.round(plan.spec.promptBase * uniform(rng, 0.985, 1.015) + k * 12);
      tokens.inputTokens = promptTokens;
      tokens.cachedInputTokens = 0;
      tokens.cacheWrite5mTokens = 0;
      tokens.cacheWrite1hTokens = 0;
      tokens.outputTokens = Math.round(outBase * uniform(rng, 0.95, 1.05));
      tokens.reasoningTokens = m.reasoning ? Math.round(tokens.outputTokens * uniform(rng, 1.5, 2.5)) : 0;
      if (k > 0 && m.anthropicCache) {
        // The loop's tool output changes every turn, so only the instructions and the claim file stay cached.
        tokens.cachedInputTokens = Math.round(promptTokens * 0.55);
        tokens.inputTokens = promptTokens - tokens.cachedInputTokens;
      } else if (k > 0 && m.autoCache) {
        tokens.cachedInputTokens = Math.floor((promptTokens * 0.85) / 128) * 128;
        tokens.inputTokens = promptTokens - tokens.cachedInputTokens;
      }
      const tier = price(m, promptTokens);
      const row = newRow(sess, m, plan.spec.task, Math.round(k * step + rng.next() * step * 0.3));
      fillTokens(row);
      row.priceId = tier.priceId;
      row.costNano = costNano(tokens, tier.rates);
      row.listCostNano = row.costNano;
      row.latencyMs = Math.min(latencyFor(m, promptTokens), Math.round(step * 0.6));
      row.routeReason = reason;
    }
    finishSession(sess, start);
  });

  // Time order (stable for equal times), sorted through typed arrays to keep it cheap.
  {
    const times = new Float64Array(ledgerEvents.length);
    for (let i = 0; i < ledgerEvents.length; i++) times[i] = (ledgerEvents[i]!.occurredAt as Date).getTime();
    const order = new Uint32Array(ledgerEvents.length);
    for (let i = 0; i < order.length; i++) order[i] = i;
    order.sort((a, b) => times[a]! - times[b]! || a - b);
    const sorted = new Array<NewLedgerEvent>(ledgerEvents.length);
    for (let i = 0; i < order.length; i++) sorted[i] = ledgerEvents[order[i]!]!;
    ledgerEvents.length = 0;
    for (let i = 0; i < sorted.length; i++) ledgerEvents.push(sorted[i]!);
  }

  // --- workflow runs
  const workflowRuns: NewWorkflowRun[] = runs.map((run) => {
    const outcome = run.forced ?? OUTCOME_PICKER.pick(rng);
    const [lo, hi] = run.valueUsd;
    return {
      id: run.id,
      organisationId: ORG_ID,
      departmentId: run.departmentId,
      projectId: run.projectId,
      workflow: run.workflow,
      startedAt: new Date(run.firstMs),
      endedAt: new Date(run.lastMs),
      outcome,
      valueCapturedNano: outcome === 'resolved' ? usd(uniform(rng, lo, hi)) : null,
      note: run.note ?? rng.pick(OUTCOME_NOTES[outcome]),
    };
  });

  // --- key last use
  const lastUse = new Map<string, number>();
  for (const e of ledgerEvents) {
    if (e.apiKeyId) lastUse.set(e.apiKeyId, (e.occurredAt as Date).getTime());
  }
  for (const k of apiKeys) {
    const at = lastUse.get(k.id);
    k.lastUsedAt = at === undefined ? null : new Date(at);
  }

  // --- budgets, sized from the generated spend
  const budgets = buildBudgets(ledgerEvents, nowMs, startMs);

  return {
    organisation,
    departments,
    projects,
    users,
    loginUserIds,
    apiKeys,
    models: catalog.models,
    modelPrices: catalog.prices,
    ledgerEvents,
    workflowRuns,
    budgets,
  };
}

function buildBudgets(ledgerEvents: NewLedgerEvent[], nowMs: number, startMs: number): NewBudget[] {
  const now = new Date(nowMs);
  const monthStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
  const dayStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const elapsedDays = (nowMs - monthStart) / DAY;
  const trailingFrom = Math.max(startMs, nowMs - 30 * DAY);
  const trailingDays = Math.max(1 / 24, (nowMs - trailingFrom) / DAY);

  const mtd = new Map<string, bigint>();
  const trailing = new Map<string, bigint>();
  let orgMtd = 0n;
  let orgTrailing = 0n;
  const keyDaily = new Map<number, bigint>();
  let keyToday = 0n;
  for (const e of ledgerEvents) {
    const cost = e.costNano as bigint;
    if (cost === 0n) continue;
    const at = (e.occurredAt as Date).getTime();
    const dep = e.departmentId!;
    if (at >= monthStart) {
      mtd.set(dep, (mtd.get(dep) ?? 0n) + cost);
      orgMtd += cost;
    }
    if (at >= trailingFrom) {
      trailing.set(dep, (trailing.get(dep) ?? 0n) + cost);
      orgTrailing += cost;
    }
    if (e.apiKeyId === DEMO_AGENT_KEY_ID) {
      if (at >= dayStart) keyToday += cost;
      else if (at >= dayStart - 14 * DAY) {
        const d = Math.floor((at - dayStart) / DAY);
        keyDaily.set(d, (keyDaily.get(d) ?? 0n) + cost);
      }
    }
  }
  // Month-to-date spend; early in a month (or with no spend yet), what the trailing daily rate predicts.
  const basis = (actual: bigint, trailingSpend: bigint): bigint => {
    if (elapsedDays >= 2 && actual > 0n) return actual;
    const expected = (Number(trailingSpend) / trailingDays) * Math.max(elapsedDays, 1);
    return BigInt(Math.round(expected));
  };
  const limit = (basisNano: bigint, target: number): bigint => {
    const raw = BigInt(Math.round(Number(basisNano) / target));
    return raw > 0n ? niceLimit(raw) : 1_000n * NANO_PER_USD;
  };
  const createdAt = new Date(Math.min(monthStart, nowMs - DAY) - 20 * DAY);

  const budgets: NewBudget[] = [
    {
      id: 'bud_org_month',
      organisationId: ORG_ID,
      name: `${ORG_NAME} monthly AI spend`,
      scopeType: 'organisation',
      scopeId: null,
      window: 'month',
      metric: 'cost',
      limitValue: limit(basis(orgMtd, orgTrailing), ORG_BUDGET_TARGET),
      enforcement: 'soft',
      alertThresholds: [0.8, 0.95],
      createdAt,
      createdBy: DEMO_USERS.cfo.id,
    },
  ];
  for (const d of DEPARTMENTS) {
    const spec = DEPT_BUDGETS[d.code];
    budgets.push({
      id: `bud_dep_${d.code}_month`,
      organisationId: ORG_ID,
      name: `${d.name} monthly AI spend`,
      scopeType: 'department',
      scopeId: d.id,
      window: 'month',
      metric: 'cost',
      limitValue: limit(basis(mtd.get(d.id) ?? 0n, trailing.get(d.id) ?? 0n), spec.target),
      enforcement: spec.enforcement,
      alertThresholds: [0.8, 0.95],
      createdAt,
      createdBy: DEMO_USERS.cfo.id,
    });
  }
  // The Claims bot's daily cap: 1.5x its typical day, and comfortably above today so far.
  let typical = 0n;
  if (keyDaily.size > 0) {
    const sorted = [...keyDaily.values()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    typical = sorted[Math.floor(sorted.length / 2)]!;
  }
  const dailyRaw = [(typical * 3n) / 2n, (keyToday * 10n) / 7n, 20n * NANO_PER_USD].reduce((a, b) => (a > b ? a : b));
  budgets.push({
    id: 'bud_key_claims_agent_day',
    organisationId: ORG_ID,
    name: 'claims-triage-bot daily cap',
    scopeType: 'api_key',
    scopeId: DEMO_AGENT_KEY_ID,
    window: 'day',
    metric: 'cost',
    limitValue: niceLimit(dailyRaw),
    enforcement: 'hard',
    alertThresholds: [0.8, 0.95],
    createdAt: new Date(nowMs - 20 * HOUR),
    createdBy: DEMO_USERS.ops.id,
  });
  return budgets;
}
