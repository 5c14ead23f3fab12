/**
 * The public price catalog shipped with Tollgate (see README.md here): the
 * pydantic/genai-prices v2 feed of 2026-08-21, read from this folder at run
 * time, never from outside the project.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PRICE_SOURCE } from '@/lib/engine/catalog';
import { convertCatalogFeed, type ConvertedFeed } from '@/lib/engine/catalog-feed';

export const SHIPPED_FEED_FILE = path.resolve(/*turbopackIgnore: true*/ process.cwd(), 'db/catalog/genai-prices-2026-08-21.json');
/** The `source` of the shipped feed's price versions. */
export const SHIPPED_FEED_SOURCE = PRICE_SOURCE;

/** A feed file's JSON; throws with the file's name when it cannot be read or parsed. */
export function readFeedFile(file: string = SHIPPED_FEED_FILE): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the price feed ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Error(`the price feed ${file} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}

let shipped: ConvertedFeed | undefined;

/** The shipped feed, converted with the catalog's default effective date (cached: the file never changes at run time). */
export function shippedCatalog(): ConvertedFeed {
  shipped ??= convertCatalogFeed(readFeedFile());
  return shipped;
}
