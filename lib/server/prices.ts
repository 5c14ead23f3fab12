/**
 * The price catalog's writes: importing the public feed and adding a price
 * version by hand (ops). Each runs in one transaction under an advisory lock
 * (so two app instances never interleave read-compare-write), writes its
 * audit rows in the same transaction, and refreshes the in-memory price book
 * once committed.
 *
 * Prices are versioned, never edited: a new version applies to events from
 * its effective date on, and a ledger row keeps the cost it was written with.
 * So any effective date is allowed, past ones included; a second version with
 * the same model, kind, organisation, service tier, context tier and date is
 * refused (it would make the price at that date ambiguous).
 */
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Db, DbHandle } from '@/db/client';
import { priceVersionView, type PriceVersionView } from '@/db/queries/prices';
import { auditLog, modelPrices, models, organisations, type NewModelPrice } from '@/db/schema';
import {
  convertCatalogFeed,
  planCatalogImport,
  sameRates,
  type FeedReport,
  type PriceConflict,
} from '@/lib/engine/catalog-feed';
import { PRICE_KINDS, PROVIDERS, SERVICE_TIERS, type ActorType, type Provider } from '@/lib/engine/enums';
import { NotFoundError, TollgateError, ValidationError } from '@/lib/engine/errors';
import { nanoToUsdString } from '@/lib/engine/money';
import type { PriceVersionInput } from '@/lib/engine/price-input';
import { invalidatePriceBook } from './price-book';

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/** Serialises catalog writes across app instances (the migrator holds 727274). */
const PRICE_LOCK_KEY = 727275;
/** Rows per INSERT: 16 parameters a price row stays far below Postgres's 65,535. */
const CHUNK = 500;
/** Providers whose models may carry an amortised (self-hosted cost per token) price. */
export const SELF_HOSTED_PROVIDERS: readonly string[] = ['self_hosted', 'openai_compatible'];

/** Who changes prices; the organisation is null for operators' tools, which act on list prices for everyone. */
export interface PriceActor {
  type: ActorType;
  id: string;
  organisationId: string | null;
}

/** 409: the catalog already holds another price for the same model, tier and date. */
export class PriceConflictError extends TollgateError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('invalid_request_error', 409, message, { code: 'price_conflict', ...details });
  }
}

async function lock(tx: Tx): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${PRICE_LOCK_KEY})`);
}

/** Audit rows: list prices concern every organisation, contract prices only their own. */
async function audit(
  tx: Tx,
  actor: PriceActor,
  organisationId: string | null,
  entry: { at: Date; action: string; targetType: string; targetId: string | null; details: Record<string, unknown> },
): Promise<void> {
  const orgIds = organisationId
    ? [organisationId]
    : (await tx.select({ id: organisations.id }).from(organisations).orderBy(organisations.id)).map((o) => o.id);
  if (orgIds.length === 0) return;
  await tx.insert(auditLog).values(
    orgIds.map((id) => ({ organisationId: id, actorType: actor.type, actorId: actor.id, ...entry })),
  );
}

const describeRates = (r: { inputPerMtok: bigint; outputPerMtok: bigint }) =>
  `$${nanoToUsdString(r.inputPerMtok)} in / $${nanoToUsdString(r.outputPerMtok)} out`;

// ---------------------------------------------------------------------------
// Importing the public catalog feed

export interface ImportCatalogOptions {
  /** When the feed's undated price sets take effect; defaults to CATALOG_EFFECTIVE_FROM. */
  effectiveFrom?: Date | string;
  /** The `source` written on each new price version. */
  source?: string;
  actor?: PriceActor;
  /** A feed price that contradicts a held one (same model, tier and date): refuse the import (default) or leave it out. */
  onConflict?: 'error' | 'skip';
  now?: Date;
}

export interface ImportCatalogResult {
  modelsInserted: number;
  modelsUpdated: number;
  pricesInserted: number;
  pricesUnchanged: number;
  /** Left out (only with onConflict: 'skip'). */
  conflicts: PriceConflict[];
  /** Providers stored that PROVIDERS does not name yet. */
  newProviders: string[];
  report: FeedReport;
}

export const IMPORT_ACTOR: PriceActor = { type: 'system', id: 'prices-import', organisationId: null };

function conflictMessage(conflicts: readonly PriceConflict[]): string {
  const shown = conflicts
    .slice(0, 5)
    .map(
      (c) =>
        `${c.modelId} from ${c.effectiveFrom.toISOString().slice(0, 10)}${c.contextTierMinTokens ? ` (from ${c.contextTierMinTokens} prompt tokens)` : ''}: held ${describeRates(c.existing)}, feed ${describeRates(c.feed)}`,
    )
    .join('; ');
  const more = conflicts.length > 5 ? `; and ${conflicts.length - 5} more` : '';
  return `The feed gives ${conflicts.length} price(s) that differ from prices already held for the same date: ${shown}${more}. Nothing was imported. Import with a later effective date (--from) so the feed's prices apply from then, or skip them.`;
}

/**
 * Imports a genai-prices v2 feed (parsed JSON): new models, the feed's
 * name and context window for feed-only models already held, and every
 * price version not already held. Idempotent: importing the same feed again
 * writes nothing. Built-in models keep catalog.ts's tier, quality and
 * routing; feed-only models are never routable.
 */
export async function importCatalogFeed(db: DbHandle, feed: unknown, options: ImportCatalogOptions = {}): Promise<ImportCatalogResult> {
  const converted = convertCatalogFeed(feed, { effectiveFrom: options.effectiveFrom });
  const actor = options.actor ?? IMPORT_ACTOR;
  const now = options.now ?? new Date();
  const source = options.source ?? 'genai-prices';

  const result = await db.db.transaction(async (tx) => {
    await lock(tx);
    const [heldModels, heldPrices] = await Promise.all([
      tx.select({ id: models.id, displayName: models.displayName, contextWindow: models.contextWindow }).from(models),
      tx
        .select()
        .from(modelPrices)
        .where(and(eq(modelPrices.kind, 'list'), isNull(modelPrices.organisationId))),
    ]);
    const plan = planCatalogImport(converted, { models: heldModels, prices: heldPrices });
    if (plan.conflicts.length > 0 && options.onConflict !== 'skip') {
      throw new PriceConflictError(conflictMessage(plan.conflicts), { conflicts: plan.conflicts.length });
    }

    for (let i = 0; i < plan.insertModels.length; i += CHUNK) {
      const rows = plan.insertModels.slice(i, i + CHUNK).map((m) => ({
        ...m,
        // The column is text; a provider a later feed adds is stored as the feed names it.
        provider: m.provider as Provider,
        createdAt: now,
      }));
      await tx.insert(models).values(rows).onConflictDoNothing({ target: models.id });
    }
    for (const m of plan.updateModels) {
      await tx.update(models).set({ displayName: m.displayName, contextWindow: m.contextWindow }).where(eq(models.id, m.id));
    }
    for (let i = 0; i < plan.insertPrices.length; i += CHUNK) {
      const rows: NewModelPrice[] = plan.insertPrices.slice(i, i + CHUNK).map((p) => ({ ...p, source, createdAt: now }));
      await tx.insert(modelPrices).values(rows);
    }

    const newProviders = [...new Set(plan.insertModels.map((m) => m.provider))].filter((p) => !(PROVIDERS as readonly string[]).includes(p)).sort();
    const written = plan.insertModels.length + plan.updateModels.length + plan.insertPrices.length;
    if (written > 0) {
      await audit(tx, actor, null, {
        at: now,
        action: 'prices.import',
        targetType: 'price_catalog',
        targetId: source,
        details: {
          source,
          effectiveFrom: options.effectiveFrom ? new Date(options.effectiveFrom).toISOString() : null,
          modelsInserted: plan.insertModels.length,
          modelsUpdated: plan.updateModels.length,
          pricesInserted: plan.insertPrices.length,
          pricesUnchanged: plan.unchangedPrices,
          conflictsSkipped: plan.conflicts.length,
          newProviders,
          skippedSets: converted.report.skippedSets.length,
          skippedFields: converted.report.skippedFields,
        },
      });
    }
    return {
      modelsInserted: plan.insertModels.length,
      modelsUpdated: plan.updateModels.length,
      pricesInserted: plan.insertPrices.length,
      pricesUnchanged: plan.unchangedPrices,
      conflicts: plan.conflicts,
      newProviders,
      report: converted.report,
    };
  });
  invalidatePriceBook();
  return result;
}

// ---------------------------------------------------------------------------
// Adding a price version by hand

export interface AddPriceResult {
  version: PriceVersionView;
  /** Things the caller should know: a long-context tier the new date leaves out, a later version that takes over. */
  warnings: string[];
}

const day = (d: Date) => d.toISOString().replace('T00:00:00.000Z', '');

/**
 * Adds one price version: a list price (for everyone), a negotiated price
 * (the actor's organisation's contract) or an amortised one (a self-hosted
 * model's cost per token, for the actor's organisation). Refuses an unknown
 * model (404), an amortised price for a hosted provider's model, a long-context
 * tier with no base price at the same date (it would leave shorter prompts
 * unpriced), and a duplicate (409). Writes nothing when it refuses.
 */
export async function addPriceVersion(
  db: DbHandle,
  actor: PriceActor,
  input: PriceVersionInput,
  options: { now?: Date } = {},
): Promise<AddPriceResult> {
  const now = options.now ?? new Date();
  const effectiveFrom = input.effectiveFrom ?? now;
  // parsePriceVersion checked all this at the edge; a programmatic caller gets the same refusals.
  if (!(PRICE_KINDS as readonly string[]).includes(input.kind)) throw new ValidationError(`Unknown price kind ${JSON.stringify(input.kind)}.`, { param: 'kind' });
  if (!(SERVICE_TIERS as readonly string[]).includes(input.serviceTier)) {
    throw new ValidationError(`Unknown service tier ${JSON.stringify(input.serviceTier)}.`, { param: 'service_tier' });
  }
  if (!Number.isSafeInteger(input.contextTierMinTokens) || input.contextTierMinTokens < 0) {
    throw new ValidationError('The context tier must be a whole number of prompt tokens.', { param: 'context_tier_min_tokens' });
  }
  if (Number.isNaN(effectiveFrom.getTime())) throw new ValidationError('The effective date is not a date.', { param: 'effective_from' });
  for (const [bucket, rate] of Object.entries(input.rates)) {
    if (rate !== null && (typeof rate !== 'bigint' || rate < 0n)) throw new ValidationError(`The ${bucket} rate must be a non-negative amount.`);
  }
  const result = await db.db.transaction(async (tx) => {
    await lock(tx);
    const [model] = await tx.select({ id: models.id, provider: models.provider }).from(models).where(eq(models.id, input.modelId)).limit(1);
    if (!model) throw new NotFoundError(`No model ${JSON.stringify(input.modelId)} in the catalog.`);
    if (input.kind === 'amortised' && !SELF_HOSTED_PROVIDERS.includes(model.provider)) {
      throw new ValidationError(`An amortised price is for a self-hosted model; ${input.modelId} is served by ${model.provider}.`, { param: 'kind' });
    }
    const organisationId = input.kind === 'list' ? null : actor.organisationId;
    if (input.kind !== 'list' && !organisationId) {
      throw new ValidationError(`A ${input.kind} price belongs to an organisation; name one.`, { param: 'organisation' });
    }

    const group = await tx
      .select()
      .from(modelPrices)
      .where(
        and(
          eq(modelPrices.modelId, input.modelId),
          eq(modelPrices.kind, input.kind),
          organisationId ? eq(modelPrices.organisationId, organisationId) : isNull(modelPrices.organisationId),
          eq(modelPrices.serviceTier, input.serviceTier),
        ),
      );
    const at = effectiveFrom.getTime();
    const sameDate = group.filter((v) => v.effectiveFrom.getTime() === at);
    const duplicate = sameDate.find((v) => v.contextTierMinTokens === input.contextTierMinTokens);
    if (duplicate) {
      const same = sameRates(duplicate, input.rates) ? 'the same rates' : describeRates(duplicate);
      throw new PriceConflictError(
        `${input.modelId} already has a ${input.kind} ${input.serviceTier} price${input.contextTierMinTokens ? ` from ${input.contextTierMinTokens} prompt tokens` : ''} from ${effectiveFrom.toISOString()} (id ${duplicate.id}, ${same}). Prices are versioned, not edited: give another effective date.`,
        { existing_id: duplicate.id },
      );
    }
    if (input.contextTierMinTokens > 0 && !sameDate.some((v) => v.contextTierMinTokens === 0)) {
      throw new ValidationError(
        `Add the base price (context tier 0) from ${effectiveFrom.toISOString()} first: a long-context tier applies alongside a base price of the same date, and without one shorter prompts would go unpriced.`,
        { param: 'context_tier_min_tokens' },
      );
    }

    const [row] = await tx
      .insert(modelPrices)
      .values({
        modelId: input.modelId,
        kind: input.kind,
        organisationId,
        serviceTier: input.serviceTier,
        contextTierMinTokens: input.contextTierMinTokens,
        effectiveFrom,
        ...input.rates,
        source: input.source ?? `${actor.type}:${actor.id}`,
        createdAt: now,
      })
      .returning();
    const created = row!;

    const warnings: string[] = [];
    let before: number | null = null;
    let after: number | null = null;
    for (const v of group) {
      const t = v.effectiveFrom.getTime();
      if (t < at && (before === null || t > before)) before = t;
      if (t > at && (after === null || t < after)) after = t;
    }
    if (before !== null) {
      const tiersNow = new Set([...sameDate, created].map((v) => v.contextTierMinTokens));
      const dropped = [...new Set(group.filter((v) => v.effectiveFrom.getTime() === before).map((v) => v.contextTierMinTokens))]
        .filter((t) => !tiersNow.has(t))
        .sort((a, b) => a - b);
      for (const t of dropped) {
        warnings.push(
          `The version before this one also had a long-context tier from ${t} prompt tokens; from ${day(effectiveFrom)} it no longer applies unless you add it with the same effective date.`,
        );
      }
    }
    if (after !== null) warnings.push(`A later version takes over from ${day(new Date(after))}.`);
    if (at < now.getTime()) {
      warnings.push('Ledger rows already written keep their cost; events ingested from now on are priced by this version when they happened on or after its date.');
    }

    await audit(tx, actor, organisationId, {
      at: now,
      action: 'prices.add',
      targetType: 'model_price',
      targetId: String(created.id),
      details: {
        model: created.modelId,
        kind: created.kind,
        serviceTier: created.serviceTier,
        contextTierMinTokens: created.contextTierMinTokens,
        effectiveFrom: created.effectiveFrom.toISOString(),
        nanoPerMtok: {
          input: created.inputPerMtok.toString(),
          cachedInput: created.cachedInputPerMtok?.toString() ?? null,
          cacheWrite5m: created.cacheWrite5mPerMtok?.toString() ?? null,
          cacheWrite1h: created.cacheWrite1hPerMtok?.toString() ?? null,
          output: created.outputPerMtok.toString(),
          reasoning: created.reasoningPerMtok?.toString() ?? null,
        },
        source: created.source,
      },
    });
    const inForce = at <= now.getTime() && (after === null || after > now.getTime());
    return { version: priceVersionView(created, model.provider, inForce), warnings };
  });
  invalidatePriceBook();
  return result;
}

/** Organisation ids, for tools that must name one (the CLI's negotiated and amortised prices). */
export async function organisationIds(db: DbHandle): Promise<string[]> {
  const rows = await db.db.select({ id: organisations.id }).from(organisations).orderBy(organisations.id);
  return rows.map((r) => r.id);
}
