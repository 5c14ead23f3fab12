/**
 * The response cache's text layer: hashes (stable across runs and runtimes),
 * normalisation, tokenisation, the Porter stemmer and the lexical vectors.
 */
import { describe, expect, it } from 'vitest';
import { analysePrompt, canonicalText, cosine, hashText, prepareText, stem, textSimilarity, tokenize, vectorise } from '@/lib/engine/cache';
import { extractFacts } from '@/lib/engine/cache/guards';

describe('hashText', () => {
  it('is FNV-1a 64 over UTF-8 (published test vectors)', () => {
    expect(hashText('')).toBe('cbf29ce484222325');
    expect(hashText('a')).toBe('af63dc4c8601ec8c');
    expect(hashText('foobar')).toBe('85944171f73967e8');
  });

  it('matches a BigInt reference on non-ASCII text, and is stable', () => {
    const reference = (text: string) => {
      let h = 0xcbf29ce484222325n;
      for (const byte of new TextEncoder().encode(text)) h = ((h ^ BigInt(byte)) * 0x100000001b3n) & 0xffffffffffffffffn;
      return h.toString(16).padStart(16, '0');
    };
    for (const text of ['héllo wörld €', '日本語のプロンプト', 'emoji 😀 and 𝔘', 'x'.repeat(5_000)]) {
      expect(hashText(text)).toBe(reference(text));
    }
    // Pinned: a system-prompt hash computed today must equal the one computed after a restart or an upgrade.
    expect(hashText('You are a claims assistant.')).toBe('afe58fdef02b0c54');
    expect(hashText('You are a claims assistant.')).not.toBe(hashText('You are a claims assistant!'));
  });
});

describe('normalisation', () => {
  it('canonical text: NFKC, quotes, dashes, whitespace; case kept', () => {
    expect(canonicalText('  Ｆｕｌｌ\u00a0width “quotes” – dash\r\n\r\n\r\nend  ')).toBe('Full width "quotes" - dash\n\nend');
    expect(canonicalText('Foo')).not.toBe(canonicalText('foo'));
  });

  it('expands contractions and folds politeness', () => {
    expect(prepareText("Can't we approve it? It's the customer's claim; don't wait.")).toBe('can not we approve it? It is the customer claim; do not wait.');
    expect(prepareText('Could you please give me a short summary of the notes?').trim()).toBe('short summarize the notes?');
  });

  it('keeps ids, numbers, dates and times whole', () => {
    const tokens = tokenize(prepareText('Pay INV2024-77 $1,250.50 on 2025-03-14 at 10:30 am, 5k, 30-day, 3rd, 555-1234'));
    expect(tokens.map((t) => `${t.type}:${t.text}`)).toEqual([
      'word:Pay', 'id:INV2024-77', 'symbol:$', 'number:1250.50', 'word:on', 'date:2025-03-14', 'word:at', 'time:10:30 am',
      'punct:,', 'number:5', 'word:k', 'punct:,', 'number:30', 'word:day', 'punct:,', 'number:3', 'word:rd', 'punct:,',
      'number:555', 'number:1234',
    ]);
  });

  it('Porter stems (the reference vocabulary)', () => {
    const pairs: [string, string][] = [
      ['caresses', 'caress'], ['ponies', 'poni'], ['agreed', 'agre'], ['motoring', 'motor'], ['hopping', 'hop'], ['filing', 'file'],
      ['happy', 'happi'], ['relational', 'relat'], ['conditional', 'condit'], ['vietnamization', 'vietnam'], ['hopefulness', 'hope'],
      ['sensibiliti', 'sensibl'], ['electrical', 'electr'], ['allowance', 'allow'], ['adjustment', 'adjust'], ['adoption', 'adopt'],
      ['effective', 'effect'], ['probate', 'probat'], ['controll', 'control'], ['roll', 'roll'],
    ];
    for (const [word, expected] of pairs) expect(stem(word)).toBe(expected);
  });
});

describe('similarity', () => {
  it('is 1 for the same prompt and 0 for prompts sharing nothing', () => {
    expect(textSimilarity('Summarise claim CLM-1', 'summarise claim CLM-1')).toBeCloseTo(1, 5);
    expect(textSimilarity('Summarise claim CLM-1', 'Translate zebra pyjamas')).toBeLessThan(0.05);
  });

  it('folds synonyms, spelling and word order; survives a typo', () => {
    expect(textSimilarity('Summarise the adjuster notes', 'Summarize the notes of the adjuster')).toBeGreaterThan(0.8);
    expect(textSimilarity('Categorise this email', 'Classify this e-mail')).toBeGreaterThan(0.9);
    expect(textSimilarity('Summarise the adjuster notes for claim CLM-1 in 3 bullets', 'Summarise the ajduster notes for claim CLM-1 in 3 bullets')).toBeGreaterThan(0.7);
  });

  it('the vector is computed on first read, once, and equals the eager vector of the same tokens and facts', () => {
    const prompts = [
      'Summarise the adjuster notes for claim CLM-10023 in 3 bullet points.',
      "Can't we approve it? It's the customer's claim; don't wait.",
      'Classify the sentiment: "The agent was helpful." Then reply to Maria Lopez (from Acme) by Monday.',
      'Transfer $1,250.50 from Acme to Globex on 2025-03-14 at 10:30 am, not later than the 3rd.',
      'Could you please give me a short summary of the notes?',
      '  Ｆｕｌｌ\u00a0width “quotes” – dash\r\n\r\n\r\nend  ',
      '',
    ];
    for (const text of prompts) {
      const analysis = analysePrompt(text);
      const lazy = analysis.vector;
      expect(analysis.vector).toBe(lazy);
      const prepared = prepareText(text);
      const tokens = tokenize(prepared);
      const eager = vectorise(tokens, extractFacts(tokens, prepared, canonicalText(text)));
      expect(Array.from(lazy.keys)).toEqual(Array.from(eager.keys));
      expect(Array.from(lazy.values)).toEqual(Array.from(eager.values));
      expect(lazy.keys).toBeInstanceOf(Uint32Array);
      expect(lazy.values).toBeInstanceOf(Float32Array);
    }
  });

  it('cosine is symmetric', () => {
    const a = 'Is water damage from a burst pipe covered?';
    const b = 'Does the policy cover water damage caused by a burst pipe?';
    expect(textSimilarity(a, b)).toBeCloseTo(textSimilarity(b, a), 10);
    expect(cosine({ keys: new Uint32Array(), values: new Float32Array() }, { keys: new Uint32Array([1]), values: new Float32Array([1]) })).toBe(0);
  });
});
