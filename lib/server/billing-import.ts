/**
 * Imports one provider billing export (OpenAI Costs/Usage API pages,
 * Anthropic cost/usage reports) in one transaction:
 *
 * 1. parse it (lib/engine/billing; a bad body throws before anything is written);
 * 2. claim its checksum, the SHA-256 of the canonical body: an export seen
 *    before is reported as a duplicate and nothing is written;
 * 3. upsert its lines on (provider, day, model, provider project, line item):
 *    a later import of the same key replaces the amount, since providers
 *    restate recent days; each line is linked to the Tollgate project its
 *    provider project is linked to (provider_project_links);
 * 4. write the audit row.
 */
import { createHash, randomBytes } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { auditLog, billingImports, billingLines, providerProjectLinks, type NewBillingLine } from '@/db/schema';
import {
  IMPORT_FORMATS,
  canonicalJson,
  parseBillingExport,
  type BillingFormat,
  type BillingLineDraft,
  type BillingProvider,
} from '@/lib/engine/billing';
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
  /** Lines that were new, and lines that replaced an earlier import's value. */
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

function toRow(
  line: BillingLineDraft,
  organisationId: string,
  importId: string,
  links: Map<string, string>,
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

    let inserted = 0;
    let replaced = 0;
    for (let i = 0; i < parsed.lines.length; i += CHUNK) {
      const rows = parsed.lines.slice(i, i + CHUNK).map((line) => toRow(line, ctx.organisationId, importId, links));
      const written = await tx
        .insert(billingLines)
        .values(rows)
        .onConflictDoUpdate({
          target: [
            billingLines.organisationId,
            billingLines.provider,
            billingLines.day,
            billingLines.modelName,
            billingLines.externalProjectId,
            billingLines.lineItem,
          ],
          set: {
            importId: sql`excluded.import_id`,
            projectId: sql`excluded.project_id`,
            amountNano: sql`excluded.amount_nano`,
            currency: sql`excluded.currency`,
            inputTokens: sql`excluded.input_tokens`,
            cachedInputTokens: sql`excluded.cached_input_tokens`,
            outputTokens: sql`excluded.output_tokens`,
            requests: sql`excluded.requests`,
            raw: sql`excluded.raw`,
          },
        })
        // xmax is 0 for a row this statement inserted, the updating transaction's id for one it replaced.
        .returning({ inserted: sql<boolean>`(xmax = 0)` });
      for (const row of written) {
        if (row.inserted) inserted += 1;
        else replaced += 1;
      }
    }

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
