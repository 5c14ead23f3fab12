/**
 * The per-process state the gateway keeps per tenant: quality estimates per
 * organisation, and loop guard sessions keyed by organisation and session.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_LOOP_GUARD, LoopGuard } from '@/lib/engine/governance';
import { loopSessionKey } from '@/lib/engine/governance/loop-guard';
import { catalogQuality, OrganisationQuality, QualityTracker, type OrganisationQualityRow } from '@/lib/engine/router';

const PRIOR = catalogQuality();
const GPT5 = 'openai/gpt-5';

describe('OrganisationQuality', () => {
  it("moves one organisation's estimate and no other's", () => {
    const quality = new OrganisationQuality(PRIOR);
    for (let i = 0; i < 20; i++) quality.observe({ organisationId: 'org_b', modelId: GPT5, task: 'kyc_check', signal: 'wrong' });
    expect(quality.lookupFor('org_b')(GPT5, 'kyc_check')).toBeLessThan(0.8);
    expect(quality.lookupFor('org_a')(GPT5, 'kyc_check')).toBe(PRIOR(GPT5, 'kyc_check'));
    quality.observe({ organisationId: 'org_a', modelId: GPT5, task: 'kyc_check', signal: 'good' });
    expect(quality.lookupFor('org_a')(GPT5, 'kyc_check')).toBeGreaterThan(PRIOR(GPT5, 'kyc_check'));
  });

  it('rebuilds from history exactly as the signals were applied live, each organisation on its own', () => {
    const rows: OrganisationQualityRow[] = [
      { organisationId: 'org_a', modelId: GPT5, task: 'kyc_check', signal: 'wrong' },
      { organisationId: 'org_b', modelId: GPT5, task: 'kyc_check', signal: 'good' },
      { organisationId: 'org_a', modelId: GPT5, task: 'code', signal: 'corrected' },
      { organisationId: 'org_a', modelId: GPT5, task: 'kyc_check', signal: 'retry' },
    ];
    const rebuilt = OrganisationQuality.fromHistory(PRIOR, rows);
    const a = QualityTracker.fromHistory(
      PRIOR,
      rows.filter((r) => r.organisationId === 'org_a'),
    );
    expect(rebuilt.trackerOf('org_a')!.snapshot()).toEqual(a.snapshot());
    expect(rebuilt.trackerOf('org_b')!.snapshot()).toEqual(QualityTracker.fromHistory(PRIOR, [rows[1]!]).snapshot());
    expect(rebuilt.trackerOf('org_c')).toBeUndefined();
  });
});

describe('LoopGuard keyed by organisation and session', () => {
  it('keeps two organisations\' sessions of the same name apart', () => {
    const guard = new LoopGuard();
    const at = (i: number) => new Date(Date.UTC(2026, 0, 1, 9, 0, i));
    const prompt = 'Poll claim CLM-40404 for new documents and re-plan the next step.';
    let verdict = guard.observe(loopSessionKey('org_a', 'nightly-run'), { promptText: prompt, costNano: 1_000n, at: at(0) }, DEFAULT_LOOP_GUARD);
    for (let i = 1; i < DEFAULT_LOOP_GUARD.maxRepeats; i++) verdict = guard.observe(loopSessionKey('org_a', 'nightly-run'), { promptText: prompt, costNano: 1_000n, at: at(i) }, DEFAULT_LOOP_GUARD);
    expect(verdict.frozen).toBe(true);
    expect(guard.isFrozen(loopSessionKey('org_b', 'nightly-run'))).toBe(false);
    expect(guard.observe(loopSessionKey('org_b', 'nightly-run'), { promptText: 'Draft a welcome note.', costNano: 1_000n, at: at(10) }, DEFAULT_LOOP_GUARD).frozen).toBe(false);
  });
});
