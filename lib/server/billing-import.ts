/**
 * Imports one provider billing export (OpenAI Costs/Usage API pages,
 * Anthropic cost/usage reports) in one transaction:
 *
 * 1. parse it (lib/engine/billing; a bad body throws before anything is written);
 * 2. claim its checksum, the SHA-256 of the canonical body: an export seen
 *    before is reported as a duplicate and nothing is written;
 * 3. replace what earlier imports of the same provider and format said
 *    about its lines' keys for the time it covers (providers restate recent
 *    days): earlier lines of a key whose span lies inside the export's span
 *    that day are deleted, those outside it (other hours of the day) kept,
 *    and an export that would cut an earlier span in part is refused (409);
 *    then insert its lines, each linked to the Tollgate project its provider
 *    project is linked to (provider_project_links);
 * 4. write the audit row.
 */
import { createHash, randomBytes } from 'node:crypto';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { auditLog, billingImports, billingLines, providerProjectLinks, type NewBillingLine } from '@/db/schema';
import {
  IMPORT_FORMATS,
  canonicalJson,
  parseBillingExport,
  type BillingFormat,
  type BillingLineDraft,
  type BillingProvider,
  lineKey,
  type DayCoverage,
  type ParsedBillingExport,
} from '@/lib/engine/billing';
import { TollgateError } from '@/lib/engine/errors';
import type { RequestContext } from '@/lib/http/context';

export type StoreContext = Pick<RequestContext, 'db' | 'organisationId' | 'actor' | 'now'>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

export interface ImportBillingInput {
  provider: BillingProvider;
  format: BillingFormat;
  /** The provider's JSON: one page or an array of pages. */
  data: unknown;
}

export interface ImportBillingResult {
  importId: string;
  /** Lines in the export (for a duplicate, in the earlier import). */
  lines: number;
  duplicate: boolean;
  /** The export's lines that were new, and those that replaced earlier imports' lines of their key (inside the time the export covers). */
  inserted: number;
  replaced: number;
  /** The export's last page said there is more to fetch. */
  hasMore: boolean;
  firstDay: string | null;
  lastDay: string | null;
}

/** Rows per INSERT: 16 parameters a row stays far below Postgres's 65,535. */
const CHUNK = 500;

export function exportChecksum(input: ImportBillingInput): string {
  return createHash('sha256')
    .update(canonicalJson({ provider: input.provider, format: input.format, data: input.data }))
    .digest('hex');
}

/**
 * Makes room for an import's lines. For each line (day, model, provider
 * project, line item), earlier lines of the same key, provider and format
 * whose span lies inside the span the export covers that day are deleted (the
 * export restates them); those outside it (other hours of the day) are kept;
 * one the export's span would cut in part is refused (409, nothing written).
 * Keys the export does not list are left alone: an export filtered to some
 * projects says nothing about the others. Returns the keys whose earlier
 * lines it deleted.
 */
async function supersede(
  tx: Tx,
  organisationId: string,
  provider: BillingProvider,
  format: string,
  lines: ParsedBillingExport['lines'],
  spans: ReadonlyMap<string, DayCoverage>,
): Promise<Set<string>> {
  const restated = new Set<string>();
  if (lines.length === 0) return restated;
  const incoming = new Set(lines.map(lineKey));
  const stored = await tx
    .select({
      id: billingLines.id,
      day: billingLines.day,
      modelName: billingLines.modelName,
      externalProjectId: billingLines.externalProjectId,
      lineItem: billingLines.lineItem,
      from: billingLines.coveredFrom,
      to: billingLines.coveredTo,
    })
    .from(billingLines)
    .innerJoin(billingImports, eq(billingImports.id, billingLines.importId))
    .where(
      and(
        eq(billingLines.organisationId, organisationId),
        eq(billingLines.provider, provider),
        eq(billingImports.format, format),
        inArray(billingLines.day, [...spans.keys()]),
      ),
    )
    // The earliest conflict is the one reported, whichever order the rows come in.
    .orderBy(billingLines.day, billingLines.coveredFrom, billingLines.id);
  const doomed: number[] = [];
  for (const line of stored) {
    const key = lineKey(line);
    if (!incoming.has(key)) continue;
    const span = spans.get(line.day)!;
    const from = line.from.getTime();
    const to = line.to.getTime();
    if (to <= span.fromMs || from >= span.toMs) continue;
    if (from >= span.fromMs && to <= span.toMs) {
      doomed.push(line.id);
      restated.add(key);
      continue;
    }
    const iso = (ms: number) => new Date(ms).toISOString();
    throw new TollgateError(
      'invalid_request_error',
      409,
      `This export covers ${iso(span.fromMs)} to ${iso(span.toMs)}, which cuts through an earlier import's ${iso(from)} to ${iso(to)} for ${line.lineItem} on ${line.day}: export the earlier span again whole (or whole days), so that one import says what was billed for it.`,
      { param: 'data', code: 'billing_span_conflict' },
    );
  }
  for (let i = 0; i < doomed.length; i += CHUNK) {
    await tx.delete(billingLines).where(inArray(billingLines.id, doomed.slice(i, i + CHUNK)));
  }
  return restated;
}

function toRow(
  line: BillingLineDraft,
  organisationId: string,
  importId: string,
  links: Map<string, string>,
  span: DayCoverage,
): NewBillingLine {
  return {
    organisationId,
    importId,
    provider: line.provider,
    day: line.day,
    modelName: line.modelName,
    externalProjectId: line.externalProjectId,
    projectId: line.externalProjectId === null ? null : (links.get(line.externalProjectId) ?? null),
    lineItem: line.lineItem,
    amountNano: line.amountNano,
    currency: line.currency,
    inputTokens: line.inputTokens,
    cachedInputTokens: line.cachedInputTokens,
    outputTokens: line.outputTokens,
    requests: line.requests,
    coveredFrom: new Date(span.fromMs),
    coveredTo: new Date(span.toMs),
    raw: {
      kind: line.kind,
      direction: line.direction,
      ...(line.cacheWriteTokens === null ? {} : { cacheWriteTokens: line.cacheWriteTokens }),
      sources: line.sources,
    },
  };
}

export async function importBilling({ ctx, input }: { ctx: StoreContext; input: ImportBillingInput }): Promise<ImportBillingResult> {
  const parsed = parseBillingExport(input.provider, input.format, input.data, 'data');
  const checksum = exportChecksum(input);
  const format = IMPORT_FORMATS[input.provider][input.format];
  const base = { hasMore: parsed.hasMore, firstDay: parsed.firstDay, lastDay: parsed.lastDay };

  return ctx.db.db.transaction(async (tx) => {
    const importId = `bim_${randomBytes(12).toString('hex')}`;
    const claimed = await tx
      .insert(billingImports)
      .values({
        id: importId,
        organisationId: ctx.organisationId,
        provider: input.provider,
        format,
        checksum,
        lines: parsed.lines.length,
        importedAt: ctx.now(),
        importedBy: ctx.actor.id,
      })
      .onConflictDoNothing({ target: [billingImports.organisationId, billingImports.checksum] })
      .returning({ id: billingImports.id });
    if (claimed.length === 0) {
      const [earlier] = await tx
        .select({ id: billingImports.id, lines: billingImports.lines })
        .from(billingImports)
        .where(and(eq(billingImports.organisationId, ctx.organisationId), eq(billingImports.checksum, checksum)));
      if (!earlier) throw new Error('billing import checksum conflict without a row');
      return { importId: earlier.id, lines: earlier.lines, duplicate: true, inserted: 0, replaced: 0, ...base };
    }

    const linkRows = await tx
      .select({ externalProjectId: providerProjectLinks.externalProjectId, projectId: providerProjectLinks.projectId })
      .from(providerProjectLinks)
      .where(and(eq(providerProjectLinks.organisationId, ctx.organisationId), eq(providerProjectLinks.provider, input.provider)));
    const links = new Map(linkRows.map((l) => [l.externalProjectId, l.projectId]));

    // One import at a time per organisation and provider: the spans read below stay as read until commit.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`billing-import:${ctx.organisationId}:${input.provider}`}))`);
    const spans = new Map(parsed.coverage.map((c) => [c.day, c]));
    const restated = await supersede(tx, ctx.organisationId, input.provider, format, parsed.lines, spans);
    for (let i = 0; i < parsed.lines.length; i += CHUNK) {
      await tx.insert(billingLines).values(parsed.lines.slice(i, i + CHUNK).map((line) => toRow(line, ctx.organisationId, importId, links, spans.get(line.day)!)));
    }
    const replaced = restated.size;
    const inserted = parsed.lines.length - replaced;

    const billedNano = parsed.lines.reduce((sum, line) => sum + line.amountNano, 0n);
    const unlinked = new Set(parsed.lines.filter((l) => l.externalProjectId !== null && !links.has(l.externalProjectId)).map((l) => l.externalProjectId));
    await tx.insert(auditLog).values({
      organisationId: ctx.organisationId,
      at: ctx.now(),
      actorType: ctx.actor.type,
      actorId: ctx.actor.id,
      action: 'billing.import',
      targetType: 'billing_import',
      targetId: importId,
      details: {
        provider: input.provider,
        format,
        checksum,
        lines: parsed.lines.length,
        inserted,
        replaced,
        billedNano: billedNano.toString(),
        firstDay: parsed.firstDay,
        lastDay: parsed.lastDay,
        pages: parsed.pages,
        hasMore: parsed.hasMore,
        unlinkedProjects: [...unlinked].sort(),
      },
    });
    return { importId, lines: parsed.lines.length, duplicate: false, inserted, replaced, ...base };
  });
}
