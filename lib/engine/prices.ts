/**
 * Which price bills an event: the version in force at the event's own time
 * (prices are versioned by effective date), at the service tier it ran on,
 * and at the context tier its prompt reached. Backfilled events older than
 * every known price get the earliest known one, and say so.
 */
import type { PriceKind, PriceStatus, ServiceTier } from './enums';
import { costNano, promptTokens, type PriceRates, type TokenBuckets } from './pricing';

export interface PriceVersion extends PriceRates {
  id: number;
  modelId: string;
  kind: PriceKind;
  /** Null for list prices; the organisation for negotiated and amortised ones. */
  organisationId: string | null;
  serviceTier: ServiceTier;
  contextTierMinTokens: number;
  effectiveFrom: Date;
}

export interface PriceChoice {
  price: PriceVersion;
  status: Exclude<PriceStatus, 'unpriced'>;
}

/**
 * Picks from one model's versions of one kind and service tier: the latest
 * whose effective date is at or before `at`, else the earliest. Among versions
 * in force, the highest context tier the prompt reaches.
 */
function pick(versions: readonly PriceVersion[], at: Date, promptTokens: number): PriceChoice | null {
  if (versions.length === 0) return null;
  const t = at.getTime();
  let effective: number | null = null;
  let earliest = Infinity;
  for (const v of versions) {
    const from = v.effectiveFrom.getTime();
    if (from <= t && (effective === null || from > effective)) effective = from;
    if (from < earliest) earliest = from;
  }
  const status = effective === null ? 'earliest_known' : 'priced';
  const date = effective ?? earliest;
  let best: PriceVersion | null = null;
  for (const v of versions) {
    if (v.effectiveFrom.getTime() !== date || v.contextTierMinTokens > promptTokens) continue;
    if (!best || v.contextTierMinTokens > best.contextTierMinTokens) best = v;
  }
  return best ? { price: best, status } : null;
}

export interface PricedEvent {
  /** What the organisation pays: its negotiated or amortised price where one exists, else list. */
  billed: PriceChoice | null;
  /** The public list price, for list-vs-contracted reporting; null for models with no list price. */
  list: PriceChoice | null;
}


/**
 * Prices an event from all versions known for its model. A service tier with
 * no price of its own falls back to standard.
 */
export function choosePrices(
  versions: readonly PriceVersion[],
  input: { organisationId: string; at: Date; promptTokens: number; serviceTier: ServiceTier },
): PricedEvent {
  // One pass (this runs on every gateway call): the organisation's visible versions by kind, at its
  // service tier and at standard, the fallback for a tier with no price of its own.
  const list: PriceVersion[] = [];
  const contracted: PriceVersion[] = [];
  const standardList: PriceVersion[] = [];
  const standardContracted: PriceVersion[] = [];
  for (const v of versions) {
    if (v.organisationId !== null && v.organisationId !== input.organisationId) continue;
    const ownTier = v.serviceTier === input.serviceTier;
    if (!ownTier && v.serviceTier !== 'standard') continue;
    if (v.kind === 'list') (ownTier ? list : standardList).push(v);
    else (ownTier ? contracted : standardContracted).push(v);
  }
  const inTier = (own: PriceVersion[], standard: PriceVersion[]) => (own.length > 0 || input.serviceTier === 'standard' ? own : standard);
  const listed = pick(inTier(list, standardList), input.at, input.promptTokens);
  const contract = pick(inTier(contracted, standardContracted), input.at, input.promptTokens);
  // A contract bills from its own date: before it, the list price does, and a contract
  // reaches back only for a model with no list price at all (a self-hosted one).
  const billed = contract && (contract.status === 'priced' || !listed) ? contract : listed;
  return { billed, list: listed };
}

export interface CallCost {
  costNano: bigint;
  listCostNano: bigint;
  priceId: number | null;
  priceStatus: PriceStatus;
}

/**
 * What a call's tokens cost: billed at the contracted or list price in force
 * at `at`, and at list for comparison. No price known is `unpriced` at 0,
 * flagged on the row, never a silent $0.
 */
export function priceTokens(
  versions: readonly PriceVersion[],
  input: { organisationId: string; at: Date; serviceTier: ServiceTier },
  tokens: TokenBuckets,
): CallCost {
  const priced = choosePrices(versions, { ...input, promptTokens: promptTokens(tokens) });
  const cost = priced.billed ? costNano(tokens, priced.billed.price) : 0n;
  return {
    costNano: cost,
    listCostNano: priced.list ? (priced.list === priced.billed ? cost : costNano(tokens, priced.list.price)) : cost,
    priceId: priced.billed?.price.id ?? null,
    priceStatus: priced.billed?.status ?? 'unpriced',
  };
}
