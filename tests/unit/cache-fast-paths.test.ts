/**
 * The response cache's fast paths give exactly what their definitions give:
 * the canonical text in one scan (canonicalByRules: NFKC, then each rule),
 * the tokens read directly (tokenizeByPattern: every token matched by the
 * pattern), Title Case read in place (the `\p{L}+` words), FNV-1a 64 in two
 * 32-bit halves (a BigInt reference), and the LRU order kept in a list.
 */
import { describe, expect, it } from 'vitest';
import { hashText, ResponseCache, type CachedResponse, type CacheScope } from '@/lib/engine/cache';
import { canonicalByRules } from '@/lib/engine/cache/canonical';
import { canonicalText, isTitleCase, prepareText, tokenize, tokenizeByPattern } from '@/lib/engine/cache/normalise';
import { STOP_WORDS } from '@/lib/engine/cache/lexicon';

/** Code units to try one by one: all of ASCII, Latin-1 and the punctuation, currency and letterlike blocks, and a sample of the rest. */
function codeUnits(): number[] {
  const out: number[] = [];
  for (let code = 0; code < 0x10000; code++) {
    if (code < 0x250 || (code >= 0x2000 && code < 0x2200) || (code >= 0x1100 && code < 0x1200) || code >= 0xfe00 || code % 7 === 0) out.push(code);
  }
  return out;
}

const PROMPTS = [
  'user: Summarise claim note 1234: rear-end collision at low speed, bumper damage, no injuries, repair estimate £1,234 pending.\n',
  'system: You are a claims assistant.\nuser: Summarise claim note 7: repair estimate £1,7 pending.\n',
  'user: Please review the client’s “urgent” request 88 — the café in Zürich was charged €12,50 twice; confirm the refund isn’t already issued.\n',
  '  Ｆｕｌｌ\u00a0width “quotes” – dash\r\n\r\n\r\nend  ',
  'a \u200b b\u200bc \u200b\n\u200b d\r\re\r\n\r\nf\t\t g \u2028 h\u3000i\ufeff',
  'Crème brûlée for Ms Øster-Nørgaard — €1.250,50 by 3 März; naïve coöperation, ﬁnal ½ price, Å vs A\u030a, e\u0301 vs é.',
  'Emoji 👍🏽 and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢, 한국어 \u1100\u1161\u11a8, Привет мир, Ωμέγα, مرحبا ٣٤٥, नमस्ते १२३, 日本語のプロンプト.',
  'Reply to ana.lopez@acme.com about https://acme.com/x?a=b. by 10 am, 10:30 pm or 14:05; 5k, 30-day, 3rd, 1.2m, 555-1234, #48213.',
  "Don't approve CLM-10023 unless the customer's ID (ID-77) and the 'signed' form match; it's over $5,000, isn't it?",
  'THE REPORT OF THE ADJUSTER FOR ACME AND GLOBEX, BY JANE SMITH, IN THE NAME OF THE COMPANY',
  '',
  ' ',
  '\n\n',
];

describe('canonical text in one scan', () => {
  it('equals the rules for every code unit, alone and among others', () => {
    const differ: string[] = [];
    for (const code of codeUnits()) {
      const c = String.fromCharCode(code);
      for (const text of [c, `a${c}b`, ` ${c}\n`, `e${c}\u0301 `, `가${c}\u11a8`]) if (canonicalText(text) !== canonicalByRules(text)) differ.push(text);
    }
    expect(differ).toEqual([]);
  });

  it('composes what NFKC composes: every canonical decomposition, written out', () => {
    const differ: string[] = [];
    for (let cp = 0; cp < 0x20000; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const decomposed = String.fromCodePoint(cp).normalize('NFD');
      if (decomposed.length < 2) continue;
      const text = `x ${decomposed} y`;
      if (canonicalText(text) !== canonicalByRules(text)) differ.push(text);
    }
    expect(differ).toEqual([]);
  });

  it('equals the rules on prompts', () => {
    for (const prompt of PROMPTS) {
      for (const text of [prompt, prompt.toUpperCase(), `${prompt}\r\n`, prompt.replace(/ /g, '  \t'), prompt.replace(/e/g, '\u200be')]) {
        expect(canonicalText(text), JSON.stringify(text)).toBe(canonicalByRules(text));
      }
    }
  });

  it('returns canonical text as it is', () => {
    const text = 'Summarise claim note 1234: repair estimate £1,234 (café, Zürich) pending.';
    expect(canonicalText(text)).toBe(text);
    expect(canonicalText(`${text}\n`)).toBe(text);
  });
});

describe('tokens read directly', () => {
  it('equal the pattern tokens for every code unit in contexts', () => {
    const differ: string[] = [];
    for (const code of codeUnits()) {
      const c = String.fromCharCode(code);
      for (const text of [`a${c}b`, `12${c}34`, `x${c}y@ex.com`, `http${c}//x.y`, `10 ${c}m`, `ab-${c}c.`]) {
        if (JSON.stringify(tokenize(text)) !== JSON.stringify(tokenizeByPattern(text))) differ.push(text);
      }
    }
    expect(differ).toEqual([]);
  });

  it('equal the pattern tokens on prompts', () => {
    for (const prompt of PROMPTS) {
      for (const text of [prompt, prepareText(prompt), prompt.toLowerCase()]) expect(tokenize(text), JSON.stringify(text)).toEqual(tokenizeByPattern(text));
    }
  });
});

describe('Title Case read in place', () => {
  const STOP = new Set(STOP_WORDS);
  /** The definition: the runs of letters, the first skipped, and how many of their stop words are capitalised. */
  const reference = (canonical: string) => {
    const words = canonical.match(/\p{L}+/gu) ?? [];
    let small = 0;
    let capitalised = 0;
    for (let i = 1; i < words.length; i++) {
      const w = words[i]!;
      if (!STOP.has(w.toLowerCase())) continue;
      small++;
      if (w[0] !== w[0]!.toLowerCase()) capitalised++;
    }
    return small > 0 && capitalised / small > 0.5;
  };

  it('equals the definition', () => {
    const texts = [...PROMPTS, 'The Report Of The Adjuster', 'the report of the adjuster', 'THE', 'A The', 'x \u212Aindly The OF', 'x İT The', '𝔘 The 𝔘The Of'];
    for (const code of codeUnits()) texts.push(`X The${String.fromCharCode(code)} Of ${String.fromCharCode(code)}The and`);
    expect(texts.filter((text) => isTitleCase(text) !== reference(text))).toEqual([]);
  });
});

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

describe('hashText', () => {
  it('matches a BigInt FNV-1a 64 on every kind of text', () => {
    const reference = (text: string) => {
      let h = 0xcbf29ce484222325n;
      for (const byte of new TextEncoder().encode(text)) h = ((h ^ BigInt(byte)) * 0x100000001b3n) & 0xffffffffffffffffn;
      return h.toString(16).padStart(16, '0');
    };
    let seed = 7;
    const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    const texts = [...PROMPTS];
    for (let i = 0; i < 300; i++) texts.push(Array.from({ length: random() % 40 }, () => String.fromCharCode(random() % 0x10000)).join(''));
    for (const text of texts) {
      // TextEncoder writes a lone surrogate as U+FFFD; hashText encodes it as it is, so compare on well-formed text.
      if (LONE_SURROGATE.test(text)) continue;
      expect(hashText(text), JSON.stringify(text)).toBe(reference(text));
    }
  });
});

describe('least-recently-used order', () => {
  const scope = (n: number): CacheScope => ({ organisationId: `org_${n}`, departmentId: null, model: 'auto', task: 'summarize', systemHash: '', temperature: 0, optionsHash: '' });
  const response = (content: string): CachedResponse => ({
    modelId: 'm', modelName: 'm', content, finishReason: 'stop', promptTokens: 1, completionTokens: 1, costNano: 1n, sourceRequestId: content, storedAt: 0,
  });

  it('evicts, expires and prunes as a list of entries in use order would, across scopes', () => {
    const maxEntries = 5;
    const ttlMs = 50;
    const cache = new ResponseCache({ maxEntries, ttlMs, semanticThreshold: 0.7, semantic: false });
    /** The model: [scope, prompt, expiresAt], least recently used first. */
    let model: [number, string, number][] = [];
    let seed = 11;
    const random = (n: number) => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n;
    for (let now = 0; now < 3_000; now++) {
      const s = random(3);
      const prompt = `Summarise ticket #${random(12)} for the agent.`;
      const at = model.findIndex(([ms, mp]) => ms === s && mp === prompt);
      const op = random(10);
      if (op < 5) {
        const hit = cache.lookup(scope(s), prompt, now);
        const live = at >= 0 && now < model[at]![2];
        expect(hit?.response.content ?? null).toBe(live ? `${s}:${prompt}` : null);
        if (at >= 0) model = live ? [...model.filter((_, i) => i !== at), model[at]!] : model.filter((_, i) => i !== at);
      } else if (op < 9) {
        cache.store(scope(s), prompt, response(`${s}:${prompt}`), now);
        model = model.filter((_, i) => i !== at);
        model.push([s, prompt, now + ttlMs]);
        while (model.length > maxEntries) model.shift();
      } else {
        const expired = model.filter(([, , expiresAt]) => now >= expiresAt).length;
        expect(cache.prune(now)).toBe(expired);
        model = model.filter(([, , expiresAt]) => now < expiresAt);
      }
      expect(cache.size).toBe(model.length);
    }
  });
});
