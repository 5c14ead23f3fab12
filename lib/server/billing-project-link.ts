/**
 * Links a provider's project (OpenAI) or workspace (Anthropic) to a Tollgate
 * project, in one transaction: the link (a new link replaces an earlier one
 * for the same provider project), the already imported billing lines of that
 * provider project, and the audit row.
 */
import { and, eq, sql } from 'drizzle-orm';
import { auditLog, billingLines, projects, providerProjectLinks } from '@/db/schema';
import type { BillingProvider } from '@/lib/engine/billing';
import { NotFoundError } from '@/lib/engine/errors';
import type { StoreContext } from './billing-import';

export interface LinkProviderProjectInput {
  provider: BillingProvider;
  externalProjectId: string;
  projectId: string;
}

export interface LinkProviderProjectResult extends LinkProviderProjectInput {
  /** The project the provider project was linked to before, if any. */
  previousProjectId: string | null;
  /** Imported billing lines now attributed to the project. */
  linesUpdated: number;
}

export async function linkProviderProject({
  ctx,
  input,
}: {
  ctx: StoreContext;
  input: LinkProviderProjectInput;
}): Promise<LinkProviderProjectResult> {
  return ctx.db.db.transaction(async (tx) => {
    const [project] = await tx
      .select({ id: projects.id })
      .from(projects)
      .where(and(eq(projects.organisationId, ctx.organisationId), eq(projects.id, input.projectId)));
    if (!project) throw new NotFoundError(`No project ${JSON.stringify(input.projectId)} in this organisation.`);

    const where = and(
      eq(providerProjectLinks.organisationId, ctx.organisationId),
      eq(providerProjectLinks.provider, input.provider),
      eq(providerProjectLinks.externalProjectId, input.externalProjectId),
    );
    const [previous] = await tx.select({ projectId: providerProjectLinks.projectId }).from(providerProjectLinks).where(where).for('update');
    await tx
      .insert(providerProjectLinks)
      .values({
        organisationId: ctx.organisationId,
        provider: input.provider,
        externalProjectId: input.externalProjectId,
        projectId: input.projectId,
        createdAt: ctx.now(),
      })
      .onConflictDoUpdate({
        target: [providerProjectLinks.organisationId, providerProjectLinks.provider, providerProjectLinks.externalProjectId],
        set: { projectId: sql`excluded.project_id`, createdAt: sql`excluded.created_at` },
      });
    const updated = await tx
      .update(billingLines)
      .set({ projectId: input.projectId })
      .where(
        and(
          eq(billingLines.organisationId, ctx.organisationId),
          eq(billingLines.provider, input.provider),
          eq(billingLines.externalProjectId, input.externalProjectId),
        ),
      )
      .returning({ id: billingLines.id });
    const result: LinkProviderProjectResult = {
      ...input,
      previousProjectId: previous?.projectId ?? null,
      linesUpdated: updated.length,
    };
    await tx.insert(auditLog).values({
      organisationId: ctx.organisationId,
      at: ctx.now(),
      actorType: ctx.actor.type,
      actorId: ctx.actor.id,
      action: 'billing.project_link',
      targetType: 'provider_project_link',
      targetId: `${input.provider}:${input.externalProjectId}`,
      details: { ...result },
    });
    return result;
  });
}
