import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LOOP_GUARD,
  fingerprint,
  LoopGuard,
  nearIdentical,
  similarity,
  type LoopGuardPolicy,
  type LoopVerdict,
} from '@/lib/engine/governance';
import { Random } from '@/lib/engine/random';

const USD = 1_000_000_000n;
const T0 = Date.parse('2026-03-10T09:00:00Z');

/** Feeds prompts one per second (cost 1 cent each unless given) and returns every verdict. */
function run(guard: LoopGuard, session: string, prompts: readonly string[], policy: LoopGuardPolicy = DEFAULT_LOOP_GUARD): LoopVerdict[] {
  return prompts.map((promptText, i) => guard.observe(session, { promptText, costNano: 10_000_000n, at: new Date(T0 + i * 1_000) }, policy));
}

const frozenAt = (verdicts: readonly LoopVerdict[]) => verdicts.findIndex((v) => v.frozen);

const ORDER = 'Look up the refund status for order 4417 and tell me if it shipped';
const PARAPHRASES = [
  ORDER,
  'look up the refund status for order 4417 and tell me if it shipped.',
  'Please look up the refund status for order 4417 and tell me if it shipped',
  'Look up the refund status of order 4417 and tell me if it shipped',
  'LOOK UP the refund status for order #4417, and tell me if it shipped!',
];
const POLICY_DOC = 'Summarise the travel expense policy for contractors in two short paragraphs';
const CLAIM = 'Draft a reply to the customer explaining why the water damage claim needs photos';

describe('fingerprint similarity', () => {
  it('reads case, punctuation and word order as the same words', () => {
    expect(similarity(fingerprint('Hello, World!'), fingerprint('world hello'))).toBe(1);
    expect(similarity(fingerprint(ORDER), fingerprint(ORDER))).toBe(1);
  });

  it('scores one word changed in fourteen above 0.92 and unrelated prompts near zero', () => {
    const a = fingerprint(PARAPHRASES[0]!);
    expect(similarity(a, fingerprint(PARAPHRASES[3]!))).toBeCloseTo(26 / 28, 10);
    expect(nearIdentical(a, fingerprint(PARAPHRASES[3]!), 0.92)).toBe(true);
    expect(similarity(a, fingerprint(POLICY_DOC))).toBeLessThan(0.2);
  });

  it('never calls prompts with different numbers or ids near-identical', () => {
    const a = fingerprint(ORDER);
    const b = fingerprint(ORDER.replace('4417', '4418'));
    expect(similarity(a, b)).toBeGreaterThan(0.92);
    expect(nearIdentical(a, b, 0.92)).toBe(false);
  });

  it('splits CJK text into characters', () => {
    expect(similarity(fingerprint('请检查订单状态并告诉我是否已发货'), fingerprint('请检查订单状态并告诉我是否已经发货'))).toBeGreaterThan(0.92);
    expect(similarity(fingerprint('请检查订单状态'), fingerprint('今天天气很好'))).toBeLessThan(0.3);
  });

  it('sketches long prompts and still tells them apart', () => {
    const rng = new Random(7);
    const vocabulary = Array.from({ length: 5_000 }, () => rng.hex(6));
    const essay = (n: number) => Array.from({ length: n }, () => rng.pick(vocabulary)).join(' ');
    const long = essay(3_000);
    expect(fingerprint(long).complete).toBe(false);
    expect(similarity(fingerprint(long), fingerprint(`${long} one more sentence at the end`))).toBeGreaterThan(0.92);
    expect(similarity(fingerprint(long), fingerprint(essay(3_000)))).toBeLessThan(0.6);
  });
});

describe('LoopGuard: repeated prompts', () => {
  it('freezes at the fifth identical prompt in a row, not the fourth', () => {
    const verdicts = run(new LoopGuard(), 's', Array(5).fill(ORDER));
    expect(verdicts.slice(0, 4).every((v) => !v.frozen)).toBe(true);
    expect(verdicts[4]).toEqual({ frozen: true, reason: 'repeated_prompt', detail: '5 near-identical prompts in a row' });
    expect(frozenAt(run(new LoopGuard(), 's', Array(4).fill(ORDER)))).toBe(-1);
  });

  it('freezes on paraphrased near-identical prompts', () => {
    const verdicts = run(new LoopGuard(), 's', PARAPHRASES);
    expect(frozenAt(verdicts)).toBe(4);
    expect(verdicts[4]).toMatchObject({ reason: 'repeated_prompt' });
  });

  it('restarts the count when another prompt comes between', () => {
    expect(frozenAt(run(new LoopGuard(), 's', [ORDER, ORDER, ORDER, ORDER, POLICY_DOC, ORDER, ORDER, ORDER, ORDER]))).toBe(-1);
  });

  it('does not take a template walked over many ids for a loop', () => {
    const prompts = Array.from({ length: 50 }, (_, i) => ORDER.replace('4417', String(5000 + i)));
    expect(frozenAt(run(new LoopGuard(), 's', prompts))).toBe(-1);
  });

  it('keeps sessions apart and follows the policy', () => {
    const guard = new LoopGuard();
    run(guard, 'a', Array(4).fill(ORDER));
    expect(frozenAt(run(guard, 'b', Array(4).fill(ORDER)))).toBe(-1);
    expect(frozenAt(run(new LoopGuard(), 's', Array(3).fill(ORDER), { ...DEFAULT_LOOP_GUARD, maxRepeats: 3 }))).toBe(2);
  });
});

describe('LoopGuard: cycles', () => {
  it('freezes A-B-A-B-A-B at the sixth prompt with reason cycle', () => {
    const verdicts = run(new LoopGuard(), 's', [ORDER, POLICY_DOC, ORDER, POLICY_DOC, ORDER, POLICY_DOC]);
    expect(frozenAt(verdicts)).toBe(5);
    expect(verdicts[5]).toMatchObject({ frozen: true, reason: 'cycle' });
    expect(frozenAt(run(new LoopGuard(), 's', [ORDER, POLICY_DOC, ORDER, POLICY_DOC, ORDER]))).toBe(-1);
  });

  it('sees a cycle through paraphrases', () => {
    const prompts = PARAPHRASES.slice(0, 3).flatMap((p) => [p, POLICY_DOC]);
    expect(run(new LoopGuard(), 's', prompts)[5]).toMatchObject({ frozen: true, reason: 'cycle' });
  });

  it('freezes A-B-C cycles after three full cycles', () => {
    const verdicts = run(new LoopGuard(), 's', [ORDER, POLICY_DOC, CLAIM, ORDER, POLICY_DOC, CLAIM, ORDER, POLICY_DOC, CLAIM]);
    expect(frozenAt(verdicts)).toBe(8);
    expect(verdicts[8]).toMatchObject({ reason: 'cycle' });
  });

  it('follows maxCycles', () => {
    const policy = { ...DEFAULT_LOOP_GUARD, maxCycles: 2 };
    expect(frozenAt(run(new LoopGuard(), 's', [ORDER, POLICY_DOC, ORDER, POLICY_DOC], policy))).toBe(3);
  });
});

describe('LoopGuard: spend spikes', () => {
  const observe = (guard: LoopGuard, at: number, costNano: bigint, i: number) =>
    guard.observe('s', { promptText: `step ${i}: ${CLAIM}`, costNano, at: new Date(at) }, DEFAULT_LOOP_GUARD);

  it('freezes when the last minute costs far more than the session did before', () => {
    const guard = new LoopGuard();
    // Ten minutes at 10 cents every 10 seconds: 60 cents a minute.
    for (let i = 0; i < 60; i++) expect(observe(guard, T0 + i * 10_000, USD / 10n, i).frozen).toBe(false);
    // Then 50 cents every 2 seconds: more than 5 x 60 cents within a minute.
    let verdict: LoopVerdict = { frozen: false };
    let burst = 0;
    while (!verdict.frozen && burst < 30) {
      burst++;
      verdict = observe(guard, T0 + 600_000 + burst * 2_000, USD / 2n, 60 + burst);
    }
    expect(verdict).toMatchObject({ frozen: true, reason: 'spend_spike' });
    expect(burst).toBeGreaterThanOrEqual(6);
    expect(burst).toBeLessThanOrEqual(8);
    if (verdict.frozen) expect(verdict.detail).toBe('spent $3.40 in the last 60s against an earlier average of $0.61 per 60s (more than 5x)');
  });

  it('never spikes a steady session, even one spending well above the minimum', () => {
    const guard = new LoopGuard();
    const rng = new Random(42);
    let at = T0;
    for (let i = 0; i < 600; i++) {
      at += rng.int(2_000, 10_000);
      const cost = BigInt(Math.round(rng.logNormal(0.5, 0.5) * 1e9));
      expect(observe(guard, at, cost, i).frozen).toBe(false);
    }
  });

  it('never spikes a brand-new session, however much it spends', () => {
    const guard = new LoopGuard();
    for (let i = 0; i < 20; i++) expect(observe(guard, T0 + i * 2_000, 100n * USD, i).frozen).toBe(false);
  });

  it('needs the spend above the minimum as well as above the factor', () => {
    const guard = new LoopGuard();
    for (let i = 0; i < 60; i++) observe(guard, T0 + i * 10_000, 1_000_000n, i); // a tenth of a cent
    // 90 cents in a minute: 150x the earlier rate, but under the $1 minimum.
    for (let i = 0; i < 9; i++) expect(observe(guard, T0 + 600_000 + i * 5_000, USD / 10n, 100 + i).frozen).toBe(false);
  });
});

describe('LoopGuard: state', () => {
  it('stays frozen until reset, then starts afresh', () => {
    const guard = new LoopGuard();
    const verdicts = run(guard, 's', Array(5).fill(ORDER));
    expect(guard.isFrozen('s')).toBe(true);
    const again = guard.observe('s', { promptText: POLICY_DOC, costNano: 0n, at: new Date(T0 + 10_000) }, DEFAULT_LOOP_GUARD);
    expect(again).toEqual(verdicts[4]);
    guard.reset('s');
    expect(guard.isFrozen('s')).toBe(false);
    expect(frozenAt(run(guard, 's', Array(4).fill(ORDER)))).toBe(-1);
  });

  it('keeps at most maxSessions, forgetting the least recently seen', () => {
    const guard = new LoopGuard({ maxSessions: 3 });
    for (const id of ['a', 'b', 'c']) run(guard, id, Array(4).fill(ORDER));
    run(guard, 'a', [POLICY_DOC]); // a is now the most recent
    run(guard, 'd', [ORDER]); // evicts b
    expect(guard.size).toBe(3);
    // c still remembers its four repeats; b starts over.
    expect(run(guard, 'c', [ORDER])[0]).toMatchObject({ frozen: true });
    expect(run(guard, 'b', [ORDER])[0]).toEqual({ frozen: false });
  });

  it('never freezes a normal varied session (seeded property)', () => {
    const verbs = ['Summarise', 'Classify', 'Extract the fields from', 'Check', 'Draft a reply to', 'Review', 'Explain', 'Translate'];
    const nouns = ['claim', 'policy', 'invoice', 'ticket', 'contract', 'statement', 'application', 'complaint', 'report', 'email'];
    const words = 'the customer says water damage kitchen ceiling leak since monday premium increase renewal broker quote deductible limit adjuster photos receipt hotel flight refund delay missing payment card address change beneficiary signature medical record physician note overdue balance interest waiver escalation supervisor callback urgent'.split(' ');
    for (const seed of [1, 2, 3, 4, 5]) {
      const rng = new Random(seed);
      const guard = new LoopGuard();
      let at = T0;
      for (let i = 0; i < 400; i++) {
        const sentence = Array.from({ length: rng.int(4, 18) }, () => rng.pick(words)).join(' ');
        const kind = rng.next();
        const promptText =
          kind < 0.5
            ? `${rng.pick(verbs)} the ${rng.pick(nouns)} ${rng.hex(6).toUpperCase()}: ${sentence}`
            : kind < 0.8
              ? `${rng.pick(verbs)} this ${rng.pick(nouns)}. ${sentence}.`
              : `Tool result: {"id": ${rng.int(1, 1e6)}, "status": "${rng.pick(words)}", "amount": ${rng.int(1, 5_000)}}`;
        at += rng.int(500, 20_000);
        const costNano = BigInt(Math.round(rng.logNormal(0.05, 1) * 1e9));
        const verdict = guard.observe(`session-${seed}`, { promptText, costNano, at: new Date(at) }, DEFAULT_LOOP_GUARD);
        expect(verdict, `seed ${seed}, call ${i}: ${promptText}`).toEqual({ frozen: false });
      }
    }
  });
});
