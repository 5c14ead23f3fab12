import { describe, expect, it } from 'vitest';
import { countTokens as countO200k } from 'gpt-tokenizer/encoding/o200k_base';
import { countChatTokens, countTokens, tokenMemoSize } from '@/lib/engine/tokens';

/** A text of about `chars` characters, different for each `seed`. */
function prose(chars: number, seed: number): string {
  const words = ['claim', 'policy', 'deductible', 'adjuster', 'invoice', 'vehicle', 'coverage', 'the', 'of', '2026-11-29', '1,204.50', 'C-99812'];
  let text = `document ${seed}:`;
  for (let i = 0; text.length < chars; i++) text += ` ${words[(i * 7 + seed) % words.length]}${i % 13 === 0 ? '.' : ''}`;
  return text;
}

describe('token counting', () => {
  it('counts a long text the same the first time and from the memo', () => {
    const history = prose(120_000, 1);
    const direct = countO200k(history);
    expect(countTokens(history)).toBe(direct);
    // A new string with the same characters, as the next request's JSON.parse gives it.
    expect(countTokens(`${history.slice(0, 60_000)}${history.slice(60_000)}`)).toBe(direct);
  });

  it('counts an agent conversation resent with one more turn as the sum of its messages', () => {
    const turns = [
      { role: 'system', content: prose(9_000, 2) },
      { role: 'user', content: prose(300, 3) },
      { role: 'assistant', content: prose(40_000, 4) },
    ];
    const first = countChatTokens(turns);
    const next = countChatTokens([...turns, { role: 'user', content: prose(200, 5) }]);
    expect(next - first).toBe(3 + countO200k('user') + countO200k(prose(200, 5)));
    expect(first).toBe(3 + turns.reduce((n, m) => n + 3 + countO200k(m.role) + countO200k(m.content), 0));
  });

  it('keeps the memo within its character budget, dropping the oldest texts first', () => {
    const texts = Array.from({ length: 24 }, (_, i) => prose(500_000, 100 + i));
    for (const text of texts) countTokens(text);
    const { chars, entries } = tokenMemoSize();
    expect(chars).toBeLessThanOrEqual(8_000_000);
    expect(chars).toBeGreaterThan(8_000_000 - 500_100);
    expect(entries).toBeLessThanOrEqual(4_096);
    // The newest is still counted right; so is the oldest, counted again after it was dropped.
    expect(countTokens(texts[23]!)).toBe(countO200k(texts[23]!));
    expect(countTokens(texts[0]!)).toBe(countO200k(texts[0]!));
    expect(tokenMemoSize().chars).toBeLessThanOrEqual(8_000_000);
  });

  it('counts a text over the per-text cap without keeping it', () => {
    const before = tokenMemoSize();
    const huge = prose(900_000, 7);
    expect(countTokens(huge)).toBe(countO200k(huge));
    expect(tokenMemoSize()).toEqual(before);
  });
});
