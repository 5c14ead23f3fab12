/**
 * The catalog seen from the router: routable models with their base-context
 * rates as nano-dollars, and the catalog's quality table as a lookup.
 */
import { CATALOG_MODELS, tierFor, type CatalogModel } from '../catalog';
import type { TaskType } from '../enums';
import { usdToNano } from '../money';
import type { QualityLookup, RoutableModel } from './types';

/** Expected quality of a model the catalog says nothing about for a task: low enough that `auto` never prefers it. */
export const UNKNOWN_QUALITY = 0.5;

/** Catalog models as the router sees them, priced at their standard base-context rates. */
export function routableModels(catalog: readonly CatalogModel[] = CATALOG_MODELS): RoutableModel[] {
  return catalog.map((m) => {
    const base = tierFor(m.prices, 0);
    if (!base) throw new RangeError(`catalog model ${m.id} has no base price`);
    return {
      id: m.id,
      provider: m.provider,
      name: m.name,
      tier: m.tier,
      contextWindow: m.contextWindow,
      maxOutputTokens: m.maxOutputTokens,
      inputNanoPerMtok: usdToNano(base.inputUsdPerMtok),
      outputNanoPerMtok: usdToNano(base.outputUsdPerMtok),
    };
  });
}

/** The catalog's per-task quality as a lookup; unknown models or tasks get UNKNOWN_QUALITY. */
export function catalogQuality(catalog: readonly CatalogModel[] = CATALOG_MODELS): QualityLookup {
  const table = new Map<string, Partial<Record<TaskType, number>>>();
  for (const m of catalog) table.set(m.id, m.quality);
  return (modelId, task) => table.get(modelId)?.[task] ?? UNKNOWN_QUALITY;
}
