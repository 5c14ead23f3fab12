/** Model-name matching and the reconciliation arithmetic. */
import { describe, expect, it } from 'vitest';
import { canonicalModelName, reconcile, sameModel, splitOpenAiLineItem, type BilledGroup, type EstimatedGroup } from '@/lib/engine/billing';

describe('model names', () => {
  it.each([
    ['gpt-4o-mini-2024-07-18', 'gpt-4o-mini'],
    ['gpt-4o-2024-08-06', 'gpt-4o'],
    ['o3-mini-2025-01-31', 'o3-mini'],
    ['gpt-5-2025-08-07', 'gpt-5'],
    ['claude-sonnet-4-5-20250929', 'claude-sonnet-4-5'],
    ['claude-3-5-haiku-20241022', 'claude-3-5-haiku'],
    ['claude-sonnet-4-5@20250929', 'claude-sonnet-4-5'],
    ['claude-3-5-sonnet-latest', 'claude-3-5-sonnet'],
    ['gpt-4-0613', 'gpt-4'],
    ['gpt-3.5-turbo-0125', 'gpt-3.5-turbo'],
    ['GPT-4o-Mini', 'gpt-4o-mini'],
    ['openai/gpt-5-nano', 'gpt-5-nano'],
    ['gpt-4.1-mini', 'gpt-4.1-mini'],
    ['llama-3.3-70b', 'llama-3.3-70b'],
    ['gemini-2.5-flash', 'gemini-2.5-flash'],
    ['claude-opus-4-1', 'claude-opus-4-1'],
    ['ft:gpt-4o-mini-2024-07-18:acme::abc123', 'ft:gpt-4o-mini-2024-07-18:acme::abc123'],
  ])('%s stands for %s', (name, canonical) => {
    expect(canonicalModelName(name)).toBe(canonical);
  });

  it('matches snapshots to aliases and keeps different models apart', () => {
    expect(sameModel('gpt-4o-mini-2024-07-18', 'gpt-4o-mini')).toBe(true);
    expect(sameModel('claude-sonnet-4-5-20250929', 'claude-sonnet-4-5')).toBe(true);
    expect(sameModel('claude-haiku-4-5-20251001', 'claude-haiku-4-5')).toBe(true);
    expect(sameModel('gpt-4o-mini-2024-07-18', 'gpt-4o')).toBe(false);
    expect(sameModel('gpt-5-mini-2025-08-07', 'gpt-5')).toBe(false);
    expect(sameModel('claude-sonnet-4-5-20250929', 'claude-sonnet-4')).toBe(false);
    expect(sameModel('claude-opus-4-1-20250805', 'claude-opus-4')).toBe(false);
  });

  it.each([
    ['gpt-4o-mini-2024-07-18, input', 'gpt-4o-mini-2024-07-18', 'input'],
    ['gpt-4o-2024-08-06, cached input', 'gpt-4o-2024-08-06', 'cached_input'],
    ['o1-2024-12-17, output', 'o1-2024-12-17', 'output'],
    ['gpt-4o-audio-preview, audio input', 'gpt-4o-audio-preview', 'audio_input'],
    ['text-embedding-3-small', 'text-embedding-3-small', null],
    ['Image models', null, null],
    ['Assistants API | file search', null, null],
    ['web search tool calls, gpt-4o', null, null],
    [null, null, null],
  ])('splits the OpenAI line item %s', (item, modelName, direction) => {
    expect(splitOpenAiLineItem(item)).toEqual({ modelName, direction });
  });
});

describe('reconcile', () => {
  const est = (day: string, provider: string, modelName: string, projectId: string | null, costNano: bigint): EstimatedGroup => ({
    day,
    provider,
    modelName,
    projectId,
    departmentId: projectId ? 'dep_a' : null,
    costNano,
  });
  const bill = (
    day: string,
    provider: string,
    modelName: string | null,
    projectId: string | null,
    amountNano: bigint,
    externalProjectId: string | null = projectId ? `ext_${projectId}` : null,
  ): BilledGroup => ({ day, provider, modelName, projectId, departmentId: projectId ? 'dep_a' : null, externalProjectId, amountNano });

  it('matches by day, provider, model (snapshot-tolerant) and project, with exact variance', () => {
    const r = reconcile(
      [
        est('2026-10-01', 'openai', 'gpt-4o-mini', 'prj_a', 1_000_000_000n),
        est('2026-10-01', 'openai', 'gpt-4o-mini', 'prj_b', 500_000_000n),
        est('2026-10-01', 'anthropic', 'claude-sonnet-4-5', 'prj_a', 3_000_000_000n),
        est('2026-10-02', 'google', 'gemini-2.5-flash', 'prj_a', 7n),
        est('2026-10-02', 'openai', 'gpt-5', null, 40n),
        est('2026-10-02', 'openai', 'gpt-5', 'prj_a', 0n),
      ],
      [
        // Two line items (input, output) of one snapshot: summed onto the alias's row.
        bill('2026-10-01', 'openai', 'gpt-4o-mini-2024-07-18', 'prj_a', 600_000_000n),
        bill('2026-10-01', 'openai', 'gpt-4o-mini-2024-07-18', 'prj_a', 400_000_001n),
        bill('2026-10-01', 'anthropic', 'claude-sonnet-4-5-20250929', 'prj_a', 2_700_000_000n),
        // Billed, not in the ledger.
        bill('2026-10-03', 'anthropic', 'claude-haiku-4-5-20251001', 'prj_a', 25n),
        // An unlinked provider project, and a line with no project.
        bill('2026-10-01', 'openai', 'gpt-4o-mini-2024-07-18', null, 90n, 'proj_unlinked'),
        bill('2026-10-02', 'openai', 'gpt-5-2025-08-07', null, 50n, null),
      ],
    );
    const rows = r.rows.map((row) => ({
      key: `${row.day} ${row.provider} ${row.model} ${row.projectId ?? row.externalProjectId ?? '-'}`,
      est: row.estimatedNano,
      billed: row.billedNano,
      variance: row.varianceNano,
      bps: row.varianceBps,
      source: row.costSource,
    }));
    expect(rows).toEqual([
      { key: '2026-10-01 anthropic claude-sonnet-4-5 prj_a', est: 3_000_000_000n, billed: 2_700_000_000n, variance: -300_000_000n, bps: -1000, source: 'billed' },
      { key: '2026-10-01 openai gpt-4o-mini prj_a', est: 1_000_000_000n, billed: 1_000_000_001n, variance: 1n, bps: 0, source: 'billed' },
      { key: '2026-10-01 openai gpt-4o-mini prj_b', est: 500_000_000n, billed: null, variance: null, bps: null, source: 'estimated' },
      { key: '2026-10-01 openai gpt-4o-mini proj_unlinked', est: 0n, billed: 90n, variance: 90n, bps: null, source: 'billed' },
      { key: '2026-10-02 google gemini-2.5-flash prj_a', est: 7n, billed: null, variance: null, bps: null, source: 'estimated' },
      { key: '2026-10-02 openai gpt-5 -', est: 40n, billed: 50n, variance: 10n, bps: 2500, source: 'billed' },
      { key: '2026-10-03 anthropic claude-haiku-4-5 prj_a', est: 0n, billed: 25n, variance: 25n, bps: null, source: 'billed' },
    ]);
    expect(r.rows[1]!.modelNames).toEqual(['gpt-4o-mini', 'gpt-4o-mini-2024-07-18']);
    expect(r.totals).toEqual({
      estimatedNano: 4_500_000_047n,
      billedNano: 3_700_000_166n,
      costNano: 4_200_000_173n,
      billedRowsEstimatedNano: 4_000_000_040n,
      varianceNano: -299_999_874n,
      varianceBps: -750,
      billedRows: 5,
      estimatedRows: 2,
    });
    expect(r.totals.costNano - r.totals.estimatedNano).toBe(r.totals.varianceNano);
    expect(r.unattributed).toEqual({
      billedNano: 140n,
      estimatedNano: 40n,
      unlinkedProjects: [
        { provider: 'openai', externalProjectId: 'proj_unlinked', billedNano: 90n },
        { provider: 'openai', externalProjectId: null, billedNano: 50n },
      ],
    });
  });

  it('is empty for no input', () => {
    const r = reconcile([], []);
    expect(r.rows).toEqual([]);
    expect(r.totals.varianceBps).toBeNull();
  });
});
