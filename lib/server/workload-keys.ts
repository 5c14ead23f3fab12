/**
 * API keys for the demo workload's agents. Each start mints fresh secrets
 * for these fixed key ids (the old ones stop working), so the secrets live
 * only in the running process and are never written anywhere.
 */
import { sql } from 'drizzle-orm';
import type { DbHandle } from '@/db/client';
import { apiKeys } from '@/db/schema';
import { ORG_ID } from '@/db/seed/fixtures';
import { apiKeyPrefix, generateApiKey, hashApiKey } from '@/lib/auth/secrets';
import { clearApiKeyCache } from '@/lib/http/authenticate';

export interface WorkloadAgentKey {
  keyId: string;
  agent: string;
  departmentId: string;
  projectId: string;
  secret: string;
}

/** The demo's agents: who calls, for which department and project. */
export const WORKLOAD_AGENTS = [
  { keyId: 'key_sim_claims_triage', agent: 'claims-triage-bot', departmentId: 'dep_claims', projectId: 'prj_motor_claims' },
  { keyId: 'key_sim_claims_adjuster', agent: 'property-adjuster-agent', departmentId: 'dep_claims', projectId: 'prj_property_claims' },
  { keyId: 'key_sim_kyc_onboarding', agent: 'kyc-onboarding-agent', departmentId: 'dep_kyc', projectId: 'prj_onboarding_kyc' },
  { keyId: 'key_sim_support_chat', agent: 'support-chat-assist', departmentId: 'dep_support', projectId: 'prj_chat_assist' },
  { keyId: 'key_sim_support_email', agent: 'email-triage-bot', departmentId: 'dep_support', projectId: 'prj_email_triage' },
  { keyId: 'key_sim_finance_invoices', agent: 'invoice-extractor', departmentId: 'dep_finance', projectId: 'prj_invoice_extraction' },
  { keyId: 'key_sim_underwriting', agent: 'sme-underwriting-agent', departmentId: 'dep_underwriting', projectId: 'prj_sme_underwriting' },
  { keyId: 'key_sim_engineering', agent: 'incident-summariser', departmentId: 'dep_engineering', projectId: 'prj_incident_summaries' },
] as const;

export async function mintWorkloadKeys(db: DbHandle, organisationId = ORG_ID): Promise<WorkloadAgentKey[]> {
  const keys = WORKLOAD_AGENTS.map((a) => ({ ...a, secret: generateApiKey() }));
  await db.db.transaction(async (tx) => {
    for (const k of keys) {
      const values = {
        id: k.keyId,
        organisationId,
        name: `${k.agent} (demo workload)`,
        prefix: apiKeyPrefix(k.secret),
        hash: hashApiKey(k.secret),
        role: 'agent' as const,
        departmentId: k.departmentId,
        projectId: k.projectId,
        agent: k.agent,
        createdBy: 'system:demo-workload',
      };
      await tx
        .insert(apiKeys)
        .values(values)
        .onConflictDoUpdate({ target: apiKeys.id, set: { prefix: values.prefix, hash: values.hash, revokedAt: null, createdAt: sql`now()` } });
    }
  });
  clearApiKeyCache();
  return keys;
}
