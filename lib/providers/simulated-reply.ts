/**
 * What the simulator answers: a pure function of the request (model,
 * messages, temperature) and a seed, through a string hash and the seeded
 * PRNG. The reply is built from templates that fit the prompt's apparent task
 * (a summary reads like a summary, a classification is a label, an
 * extraction is JSON, KYC, claims and underwriting answers end in a
 * recommendation), its length follows the task, `stop` cuts it, and
 * `max_completion_tokens` / `max_tokens` cap it at exactly that many tokens.
 * When tools are given and the prompt asks for one (or `tool_choice` forces
 * one), the reply is a tool call instead.
 */
import { decode, decodeGenerator, encode } from 'gpt-tokenizer/encoding/o200k_base';
import { Random } from '@/lib/engine/random';
import { countTokens, messageText } from '@/lib/engine/tokens';
import type { ChatRequest, ChatToolCall } from './types';

export type SimulatedTask = 'summarize' | 'classify' | 'extract' | 'kyc_check' | 'claims_adjust' | 'underwrite' | 'support_reply' | 'code' | 'analysis' | 'other';

export interface SimulatedReply {
  task: SimulatedTask;
  /** The content; '' for a tool call. */
  text: string;
  toolCall: ChatToolCall | null;
  finishReason: 'stop' | 'length' | 'tool_calls';
  /** countTokens(text), or for a tool call countTokens(name) + countTokens(arguments). */
  completionTokens: number;
}

/** A 32-bit string hash (murmur3's mixing), seeded. */
export function hashString(text: string, seed = 0): number {
  let h = (seed ^ 0x2f6b1d35) >>> 0;
  for (let i = 0; i < text.length; i++) {
    let k = Math.imul(text.charCodeAt(i), 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) >>> 0;
  }
  h ^= text.length;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The hash of what decides the reply: model, messages and temperature (not tools, limits or stop sequences). */
export function requestHash(request: ChatRequest, seed: number): number {
  const messages = request.messages.map((m) => [m.role, messageText(m.content), m.name ?? null, m.tool_call_id ?? null, m.tool_calls ?? null]);
  return hashString(JSON.stringify([request.model, messages, request.temperature ?? null]), seed);
}

export function lastUserText(request: ChatRequest): string {
  for (let i = request.messages.length - 1; i >= 0; i--) {
    const m = request.messages[i]!;
    if (m.role === 'user') return messageText(m.content);
  }
  return '';
}

const TASK_PATTERNS: [SimulatedTask, RegExp][] = [
  ['classify', /\bclassif|\bcategori[sz]|\blabel\b|which category|\bsentiment\b|\bintent\b|\btriage\b/],
  ['extract', /\bextract|\bpull out\b|\bparse\b|as json\b|\bjson object\b/],
  ['summarize', /\bsummar|\btl;?dr\b|\brecap\b|\bcondense\b|\bkey points\b/],
  ['kyc_check', /\bkyc\b|know your customer|\bsanction|\bpep\b|\baml\b|money laundering|due diligence|beneficial owner|identity verif/],
  ['claims_adjust', /\bclaims?\b|\badjust|\bloss\b|\bdamage|\bdeductible|\bpayout\b/],
  ['underwrite', /\bunderwrit|\bpremium\b|\binsurab|\bapplicant\b|\brisk appetite\b/],
  ['code', /```|\bfunction\b|\btypescript\b|\bpython\b|\bsql\b|\bcode\b|\bbug\b|\bstack trace\b|\brefactor/],
  ['support_reply', /\bcustomer\b|\bsupport\b|\breply to\b|\brespond to\b|\bcomplain|\bemail\b/],
  ['analysis', /\banaly[sz]|\bcompare\b|\bevaluat|\bassess|\btrend|\bwhy\b|\bforecast/],
];

export function detectTask(request: ChatRequest): SimulatedTask {
  const system = request.messages
    .filter((m) => m.role === 'system' || m.role === 'developer')
    .map((m) => messageText(m.content))
    .join('\n');
  // The instruction usually leads the user's message; the system prompt breaks ties.
  for (const text of [lastUserText(request).slice(0, 400), system]) {
    const lower = text.toLowerCase();
    for (const [task, pattern] of TASK_PATTERNS) if (pattern.test(lower)) return task;
  }
  return 'other';
}

const STOPWORDS = new Set(
  (
    'about above after again against also among because been before being below between both could does doing down during each ' +
    'every from further have having here into itself just more most much must only other over same should some such than that ' +
    'their theirs them then there these they this those through under until very were what when where which while whom will ' +
    'with within without would your yours please following text below above given provide return write answer question make ' +
    'summarize summarise summary classify classification extract label category categories reply respond response using ' +
    'based need needs want like tell explain describe short brief simulate error timeout json only check adjust assess ' +
    'claim claims function code typescript python attached thing things something anything review analyse analyze'
  ).split(' '),
);
const CALENDAR = new Set('January February March April June July August September October November December Monday Tuesday Wednesday Thursday Friday Saturday Sunday'.split(' '));
const LINKING = new Set('is was are were has have had can will may might must should would could and or but not'.split(' '));

/**
 * The prompt's topics, for the templates' slots: noun phrases after a
 * determiner or preposition first ("the payments gateway"), then frequent
 * content words; runs of capitalised words are kept as names ("Maria
 * Gonzalez"), everything else gets "the".
 */
export function topicsIn(text: string, limit = 3): string[] {
  const scores = new Map<string, { score: number; first: number; proper: boolean }>();
  const add = (phrase: string, score: number, at: number, proper: boolean) => {
    const key = phrase.toLowerCase();
    const seen = scores.get(key);
    if (seen) seen.score += score;
    else scores.set(key, { score, first: at, proper });
  };
  const word = (w: string | undefined) => !!w && w.length >= 4 && !STOPWORDS.has(w.toLowerCase()) && !LINKING.has(w.toLowerCase());
  for (const m of text.matchAll(/\b(?:the|a|an|this|its|his|her|their|our|your|my|in|of|to|for|about|with|on)\s+([a-z][a-z-]+)(?:\s+([a-z][a-z-]+))?/g)) {
    const [first, second] = [m[1], m[2]];
    if (!word(first)) continue;
    const keepSecond = word(second) && !/(ed|ing|ly)$/.test(second!);
    add(keepSecond ? `${first} ${second}` : first!, 3, m.index, false);
  }
  for (const m of text.matchAll(/\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*\b/g)) {
    const sentenceStart = m.index === 0 || /[.!?:\n]\s*$/.test(text.slice(Math.max(0, m.index - 3), m.index));
    if (!sentenceStart && m[0].split(/\s+/).every((w) => word(w) && !CALENDAR.has(w))) add(m[0], 4, m.index, true);
  }
  for (const m of text.matchAll(/\b[a-z][a-z-]{3,}[a-z]\b/g)) {
    if (word(m[0]) && !/(ed|ly)$/.test(m[0])) add(m[0], 1, m.index, false);
  }
  const ranked = [...scores.entries()].sort((a, b) => b[1].score - a[1].score || a[1].first - b[1].first);
  const out: string[] = [];
  for (const [key, { proper }] of ranked) {
    if (out.some((t) => t.toLowerCase().includes(key))) continue;
    out.push(proper ? text.slice(scores.get(key)!.first, scores.get(key)!.first + key.length) : `the ${key}`);
    if (out.length === limit) break;
  }
  return out;
}

const FALLBACK_TOPICS: Record<SimulatedTask, string[]> = {
  summarize: ['the proposal', 'the timeline', 'the budget'],
  classify: ['the request'],
  extract: ['the document'],
  kyc_check: ['salaried employment', 'the business account', 'the onboarding file'],
  claims_adjust: ['water damage', 'the repair estimate', 'the policy wording'],
  underwrite: ['the insured property', 'fire protection', 'the loss history'],
  support_reply: ['your recent invoice', 'the account settings', 'the mobile app'],
  code: ['the input list', 'the error path', 'the return value'],
  analysis: ['monthly spend', 'the cost per request', 'adoption'],
  other: ['the question', 'the context', 'the next steps'],
};

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** Fills `{slot}`s: t1..t3 are the prompt's topics, the rest fresh seeded values. */
function filler(rng: Random, topics: readonly string[], fixed: Record<string, string>) {
  const money = () => `$${(rng.int(12, 980) * 25).toLocaleString('en-US')}`;
  const values: Record<string, () => string> = {
    t1: () => topics[0]!,
    t2: () => topics[1 % topics.length]!,
    t3: () => topics[2 % topics.length]!,
    amount: money,
    deductible: () => `$${rng.pick([250, 500, 1000, 2500]).toLocaleString('en-US')}`,
    pct: () => String(rng.int(3, 38)),
    n: () => String(rng.int(2, 9)),
    priors: () => rng.pick(['no prior claims', 'one prior claim', 'two prior claims']),
    funds: () => rng.pick(['salaried employment', 'consulting income', 'the sale of a property', 'business profits', 'an inheritance']),
    date: () => `${rng.int(1, 28)} ${rng.pick(MONTHS)}`,
    ref: () => `CLM-${rng.int(100000, 999999)}`,
  };
  return (template: string) => template.replace(/\{(\w+)\}/g, (slot, name: string) => fixed[name] ?? values[name]?.() ?? slot);
}

interface Templates {
  open: string[];
  body: string[];
  close: string[];
  /** Sentences per paragraph; 0 keeps one paragraph. */
  paragraph: number;
}

const TEMPLATES: Record<Exclude<SimulatedTask, 'classify' | 'extract'>, Templates> = {
  summarize: {
    open: [
      'Summary: the text is mainly about {t1}, with supporting detail on {t2} and {t3}.',
      'In short, the document covers {t1} and what it means for {t2}.',
      'The passage describes {t1}; its central point is how {t2} shapes the outcome.',
    ],
    body: [
      'It notes that {t1} changed noticeably over the period, largely because of {t2}.',
      'The figures cited put the effect at about {amount}, roughly {pct}% more than before.',
      'A second theme is {t3}, which the author treats as an open risk rather than a settled issue.',
      '{n} specific actions are proposed, the most important being a review of {t2}.',
      'The author is cautious about {t3} and asks for more evidence before any decision.',
      'Responsibility for {t1} is assigned to a named owner, with a check-in planned for {date}.',
      'Nothing in the text suggests that {t2} breaches policy or regulation.',
      'Stakeholders broadly agree on {t1} but disagree on timing.',
      'Costs linked to {t3} are expected to fall by about {pct}% once the changes land.',
      'The text closes the earlier question on {t2}: the answer was to keep the current approach.',
    ],
    close: [
      'Bottom line: {t1} is on track, but {t3} needs attention before {date}.',
      'Overall, the text recommends keeping a close watch on {t2}.',
    ],
    paragraph: 0,
  },
  kyc_check: {
    open: [
      'KYC review: the identity documents are consistent with the application details.',
      "Customer due diligence summary: the applicant's name, date of birth and address match the documents provided.",
    ],
    body: [
      'Sanctions and PEP screening returned no matches against the consolidated lists.',
      'Screening raised one partial name match, which was reviewed and discounted on date of birth.',
      'The stated source of funds is {funds}; expected monthly volume of {amount} fits the declared profile.',
      'Beneficial ownership is documented down to the natural persons, with no nominee arrangements.',
      'Adverse media searches found nothing material in the last {n} years.',
      'The address was verified against a utility bill issued within the last three months.',
      'Activity related to {t2} should be monitored during the first {n} months.',
      'The occupation and income stated are plausible for the customer segment.',
    ],
    close: ['Risk rating: {risk}. Recommendation: {action}.'],
    paragraph: 0,
  },
  claims_adjust: {
    open: [
      'Claim {ref}: the reported loss concerns {t1}, notified {n} days after the incident.',
      'Assessment of claim {ref}: the policyholder reports damage related to {t1}.',
    ],
    body: [
      'The policy was in force on the date of loss and the peril appears to be covered.',
      'The amount claimed is {amount}, before a deductible of {deductible}.',
      'Photos and the repair estimate are consistent with the description of {t2}.',
      'There are no fraud indicators; the file shows {priors} in the last five years.',
      'The repair estimate is about {pct}% above typical rates for the region and should be checked.',
      'A site inspection is not needed given the value and the quality of the evidence.',
      'Liability for {t2} rests with the insured; no third-party recovery is expected.',
      'The exclusion for gradual deterioration does not appear to apply to {t3}.',
    ],
    close: ['Recommendation: {action}, with a reserve of {amount}.'],
    paragraph: 0,
  },
  underwrite: {
    open: ['Underwriting assessment: the applicant presents a {risk} risk profile overall.', 'Risk review for the submission: overall, a {risk} risk.'],
    body: [
      'Exposure is driven mainly by {t1}, which is within appetite.',
      'Loss history over the last {n} years is clean apart from one minor claim.',
      'The sum insured of {amount} is consistent with the declared values.',
      'Controls around {t2} are adequate but could be better documented.',
      'Compared with similar risks, the expected loss ratio is about {pct}%.',
      'Concentration around {t3} is modest and does not need special terms.',
    ],
    close: ['Recommendation: {action}.'],
    paragraph: 0,
  },
  support_reply: {
    open: ["Hello,\n\nThank you for contacting us about {t1}. I'm sorry for the trouble this has caused."],
    body: [
      'I have checked your account and can see the issue with {t2}.',
      "I've raised it with the team responsible, and it should be resolved within {n} working days.",
      "In the meantime, you don't need to do anything further.",
      'If you were charged incorrectly, {amount} will be refunded to your original payment method.',
      'For reference, your case number is {ref}.',
      'I have also added a note so that anyone you speak to next can see the history.',
    ],
    close: ['If anything else comes up, just reply to this message.\n\nKind regards,\nCustomer Support'],
    paragraph: 2,
  },
  code: {
    open: ['Here is a version that handles {t1}:\n\n{snippet}'],
    body: [
      'It skips disabled entries instead of filtering first, so it allocates nothing extra.',
      'Add a test with an empty list and one with a single {t1}.',
      'If {t2} can be null, narrow it before the loop rather than inside it.',
      'The work is linear in the number of items.',
      'Errors keep their original cause, so the stack trace still points at {t3}.',
      'Keep the function pure; do the I/O in the caller.',
    ],
    close: ['That should cover the cases you described.'],
    paragraph: 3,
  },
  analysis: {
    open: ['Here is an assessment of {t1} and {t2}.', 'Analysis of {t1}:'],
    body: [
      'The main driver is {t2}, which accounts for roughly {pct}% of the change.',
      'Comparing periods, {t1} rose while {t3} stayed broadly flat.',
      'A plausible explanation is a shift in how {t2} is used rather than a change in volume.',
      'The data on {t3} is thin, so treat that conclusion as tentative.',
      'On cost, the difference is about {amount} a month.',
      'Two options stand out: act on {t1} now, or wait {n} weeks for cleaner data.',
      'Risks are concentrated in {t2}; everything else is within normal variation.',
      'The trend has held for {n} consecutive months, which makes noise an unlikely cause.',
    ],
    close: ['Recommendation: prioritise {t2}, and revisit {t3} once more data is in.'],
    paragraph: 3,
  },
  other: {
    open: ['Here is a short answer about {t1}.', 'Sure. On {t1}:'],
    body: [
      'The key consideration is {t2}.',
      'In most cases the simplest approach works: start with {t1} and adjust from there.',
      'Watch out for {t3}, which is where problems usually appear.',
      'It typically takes {n} steps, and the second is where most of the effort goes.',
      'If you can share more detail about {t3}, I can be more specific.',
      'The usual answer is yes, with one caveat around {t2}.',
      'There is no single right answer here; it depends on how {t2} is used.',
      'Most teams start small with {t1}, measure for {n} weeks, then decide.',
      'A common mistake is to treat {t1} and {t2} as the same thing.',
    ],
    close: ['Let me know if you want more detail on any of these points.'],
    paragraph: 3,
  },
};

const SNIPPETS = [
  [
    '```ts',
    'export function {fn}(items: readonly Item[]): number {',
    '  let total = 0;',
    '  for (const item of items) {',
    '    if (!item.enabled) continue;',
    '    total += item.amount;',
    '  }',
    '  return total;',
    '}',
    '```',
  ].join('\n'),
  [
    '```ts',
    'export async function {fn}(id: string, signal?: AbortSignal): Promise<Result> {',
    '  const res = await fetch(`/api/items/${encodeURIComponent(id)}`, { signal });',
    '  if (!res.ok) throw new Error(`request failed with status ${res.status}`);',
    '  return (await res.json()) as Result;',
    '}',
    '```',
  ].join('\n'),
];

const ACTIONS: Record<string, Record<string, string>> = {
  kyc_check: {
    low: 'approve with standard monitoring',
    medium: 'approve subject to enhanced monitoring',
    high: 'refer to compliance for enhanced due diligence',
  },
  claims_adjust: {
    low: 'approve and settle',
    medium: 'approve after a desk review of the estimate',
    high: 'refer to a field adjuster before settlement',
  },
  underwrite: {
    low: 'accept at standard terms',
    medium: 'accept with a premium loading',
    high: 'decline unless the controls are evidenced',
  },
};

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(Math.round(value), min), max);
}

/** How many tokens the task's answer should run to, before any cap. */
function targetTokens(task: SimulatedTask, promptTokens: number, rng: Random): number {
  switch (task) {
    case 'summarize':
      return clamp(promptTokens * (0.12 + rng.next() * 0.13), 40, 320);
    case 'analysis':
      return clamp(promptTokens * (0.3 + rng.next() * 0.2), 150, 500);
    case 'kyc_check':
      return rng.int(90, 200);
    case 'claims_adjust':
      return rng.int(110, 260);
    case 'underwrite':
      return rng.int(100, 220);
    case 'support_reply':
      return rng.int(70, 180);
    case 'code':
      return rng.int(120, 320);
    default:
      return clamp(promptTokens * (2 + rng.next() * 2), 30, 180);
  }
}

function camel(words: readonly string[]): string {
  const parts = words.flatMap((w) => w.split(/[^a-z0-9]+/i)).filter(Boolean);
  return parts.map((w, i) => (i === 0 ? w.toLowerCase() : w[0]!.toUpperCase() + w.slice(1).toLowerCase())).join('') || 'process';
}

function prose(task: Exclude<SimulatedTask, 'classify' | 'extract'>, topics: string[], promptTokens: number, rng: Random): string {
  const templates = TEMPLATES[task];
  const risk = rng.weighted([
    ['low', 6],
    ['medium', 3],
    ['high', 1],
  ] as const);
  const fixed: Record<string, string> = {
    risk,
    action: ACTIONS[task]?.[risk] ?? '',
    fn: camel(['total', ...topics.slice(0, 1).map((t) => t.replace(/^the /, ''))]),
  };
  const fill = filler(rng, topics, fixed);
  fixed.snippet = fill(rng.pick(SNIPPETS));
  const target = targetTokens(task, promptTokens, rng);
  const bullets = task === 'summarize' && rng.chance(0.4);

  const open = fill(rng.pick(templates.open));
  const close = fill(rng.pick(templates.close));
  let used = countTokens(open) + countTokens(close);
  const body: string[] = [];
  let pool: string[] = [];
  while (used < target) {
    if (pool.length === 0) pool = [...templates.body];
    const sentence = fill(pool.splice(rng.int(0, pool.length - 1), 1)[0]!);
    body.push(sentence);
    used += countTokens(sentence) + 1;
  }

  if (bullets) return `${open}\n\n${body.map((s) => `- ${s}`).join('\n')}\n\n${close}`;
  const paragraphs: string[] = [];
  const size = templates.paragraph || body.length || 1;
  for (let i = 0; i < body.length; i += size) paragraphs.push(body.slice(i, i + size).join(' '));
  if (templates.paragraph === 0) return [open, ...paragraphs, close].join(' ').replace(/\s+\n/g, '\n');
  return [open, ...paragraphs, close].join('\n\n');
}

/** Labels the prompt offers (`one of: a, b, c`, `labels: [a | b]`), else a set that fits its wording. */
export function labelsIn(text: string): string[] {
  const match = /(?:one of|labels?|categories|classes|options|choose from|pick from)\s*[:-]?\s*\[?([^\n\]]+)/i.exec(text);
  if (match) {
    const labels = match[1]!
      .split(/,|\||\/|\bor\b/)
      .map((l) => l.trim().replace(/^["'`]+|["'`.]+$/g, '').trim())
      .filter((l) => l.length > 0 && l.length <= 40 && l.split(/\s+/).length <= 4);
    if (labels.length >= 2) return labels;
  }
  const lower = text.toLowerCase();
  if (lower.includes('sentiment')) return ['positive', 'negative', 'neutral'];
  if (/claim/.test(lower)) return ['auto', 'property', 'liability', 'health', 'travel'];
  return ['billing', 'complaint', 'fraud_suspected', 'general_inquiry', 'technical_issue'];
}

const EXTRACT_FIELDS: [RegExp, string, (rng: Random) => string | number][] = [
  [/\bname\b/, 'name', (r) => r.pick(['Jordan Ellis', 'Priya Raman', 'Tomasz Nowak', 'Amara Okafor', 'Lena Fischer'])],
  [/\bdate\b|\bwhen\b/, 'date', (r) => `2026-${String(r.int(1, 12)).padStart(2, '0')}-${String(r.int(1, 28)).padStart(2, '0')}`],
  [/\bamount\b|\btotal\b|\bsum\b|\bprice\b/, 'amount', (r) => r.int(20, 40000) / 4],
  [/\bcurrency\b/, 'currency', (r) => r.pick(['USD', 'EUR', 'GBP'])],
  [/\baddress\b/, 'address', (r) => r.pick(['14 Harbour Street, Leeds LS1 4DY', '221 Kingsway, Manchester M19 2LW', '8 Rue des Lilas, 75019 Paris'])],
  [/\bemail\b/, 'email', (r) => r.pick(['j.ellis@example.com', 'p.raman@example.org', 'claims.contact@example.net'])],
  [/\bphone\b/, 'phone', (r) => `+44 20 7946 ${String(r.int(0, 9999)).padStart(4, '0')}`],
  [/\bpolicy\b/, 'policy_number', (r) => `POL-${r.int(1000000, 9999999)}`],
  [/\bclaim\b/, 'claim_number', (r) => `CLM-${r.int(100000, 999999)}`],
  [/\binvoice\b/, 'invoice_number', (r) => `INV-${r.int(10000, 99999)}`],
  [/\biban\b|\baccount number\b/, 'iban', () => 'GB29NWBK60161331926819'],
  [/\bcompany\b|\bemployer\b|\bvendor\b|\bsupplier\b/, 'company', (r) => r.pick(['Northwind Logistics Ltd', 'Contoso Retail plc', 'Fabrikam Health GmbH'])],
];

function extraction(text: string, rng: Random): string {
  const lower = text.toLowerCase();
  const out: Record<string, string | number> = {};
  for (const [pattern, field, value] of EXTRACT_FIELDS) if (pattern.test(lower)) out[field] = value(rng);
  if (Object.keys(out).length === 0) {
    for (const [, field, value] of EXTRACT_FIELDS.slice(0, 3)) out[field] = value(rng);
  }
  return JSON.stringify(out, null, 2);
}

/** The longest prefix of `text` that is exactly `n` tokens (re-tokenised), or the closest below when none is. */
export function cutToTokens(text: string, n: number): string {
  if (n <= 0) return '';
  const tokens = encode(text);
  if (tokens.length <= n) return text;
  let best = '';
  for (let k = Math.min(tokens.length, n + 3); k >= Math.max(0, n - 8); k--) {
    const prefix = decode(tokens.slice(0, k));
    if (prefix.endsWith('\uFFFD') && !text.startsWith(prefix)) continue;
    const count = countTokens(prefix);
    if (count === n) return prefix;
    if (count < n && prefix.length > best.length) best = prefix;
  }
  return best;
}

/** The text in the tokenizer's own pieces (a multi-byte character split across tokens stays whole). */
export function tokenPieces(text: string): string[] {
  return text ? [...decodeGenerator(encode(text))] : [];
}

interface FunctionTool {
  name: string;
  parameters: Record<string, unknown> | null;
}

function functionTools(request: ChatRequest): FunctionTool[] {
  if (!Array.isArray(request.tools)) return [];
  const tools: FunctionTool[] = [];
  for (const tool of request.tools) {
    const fn = (tool as { function?: { name?: unknown; parameters?: unknown } } | null)?.function;
    if (fn && typeof fn.name === 'string') {
      tools.push({ name: fn.name, parameters: typeof fn.parameters === 'object' && fn.parameters !== null ? (fn.parameters as Record<string, unknown>) : null });
    }
  }
  return tools;
}

/** The tool the request wants called, if any. */
function chosenTool(request: ChatRequest): FunctionTool | null {
  const tools = functionTools(request);
  const last = request.messages[request.messages.length - 1];
  if (tools.length === 0 || request.tool_choice === 'none' || last?.role !== 'user') return null;
  const choice = request.tool_choice as { function?: { name?: unknown } } | string | undefined;
  if (typeof choice === 'object' && choice?.function && typeof choice.function.name === 'string') {
    return tools.find((t) => t.name === choice.function!.name) ?? null;
  }
  const text = lastUserText(request).toLowerCase();
  const named = tools.find((t) => text.includes(t.name.toLowerCase()) || text.includes(t.name.toLowerCase().replace(/_/g, ' ')));
  if (named) return named;
  if (choice === 'required' || /\b(use|call|invoke)\s+(the\s+|a\s+)?[\w-]*\s*(tool|function)\b/.test(text)) return tools[0]!;
  return null;
}

function argumentValue(name: string, schema: unknown, rng: Random, topics: readonly string[]): unknown {
  const s = (typeof schema === 'object' && schema !== null ? schema : {}) as { type?: unknown; enum?: unknown; format?: unknown };
  if (Array.isArray(s.enum) && s.enum.length > 0) return rng.pick(s.enum);
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case 'integer':
      return rng.int(1, 100);
    case 'number':
      return rng.int(100, 100000) / 100;
    case 'boolean':
      return true;
    case 'array':
      return [];
    case 'object':
      return {};
    default:
      if (s.format === 'date' || /date/i.test(name)) return `2026-${String(rng.int(1, 12)).padStart(2, '0')}-${String(rng.int(1, 28)).padStart(2, '0')}`;
      if (/(^|_)id$|number$/i.test(name)) return `${name.replace(/[^a-z]/gi, '').slice(0, 3).toUpperCase() || 'REF'}-${rng.int(100000, 999999)}`;
      return topics[0]?.replace(/^the /, '') ?? 'example';
  }
}

function toolArguments(tool: FunctionTool, rng: Random, topics: readonly string[]): string {
  const properties = (tool.parameters?.properties ?? {}) as Record<string, unknown>;
  const required = Array.isArray(tool.parameters?.required) ? (tool.parameters.required as string[]) : [];
  const names = required.length > 0 ? required : Object.keys(properties).slice(0, 4);
  const args: Record<string, unknown> = {};
  for (const name of names) args[name] = argumentValue(name, properties[name], rng, topics);
  return JSON.stringify(args);
}

export function simulateReply(request: ChatRequest, seed: number): SimulatedReply {
  const hash = requestHash(request, seed);
  const rng = new Random(hash);
  const task = detectTask(request);
  const userText = lastUserText(request).replace(/\[simulate:[^\]]*\]/gi, '');
  const lastText = messageText(request.messages[request.messages.length - 1]?.content ?? '');
  const found = topicsIn(request.messages[request.messages.length - 1]?.role === 'tool' ? lastText : userText);
  const topics = found.length >= 3 ? found : [...found, ...FALLBACK_TOPICS[task]].slice(0, 3);
  const cap = request.max_completion_tokens ?? request.max_tokens ?? null;

  const tool = chosenTool(request);
  if (tool) {
    const args = toolArguments(tool, rng, topics);
    const tokens = countTokens(tool.name) + countTokens(args);
    if (cap === null || tokens <= cap) {
      const toolCall: ChatToolCall = { id: `call_${rng.hex(24)}`, type: 'function', function: { name: tool.name, arguments: args } };
      return { task, text: '', toolCall, finishReason: 'tool_calls', completionTokens: tokens };
    }
  }

  let text: string;
  if (task === 'classify') text = rng.pick(labelsIn(userText));
  else if (task === 'extract') text = extraction(userText, rng);
  else text = prose(task, topics, countTokens(userText), rng);

  const stops = typeof request.stop === 'string' ? [request.stop] : Array.isArray(request.stop) ? request.stop : [];
  for (const stop of stops) {
    const at = stop ? text.indexOf(stop) : -1;
    if (at >= 0) text = text.slice(0, at);
  }
  let finishReason: SimulatedReply['finishReason'] = 'stop';
  let completionTokens = countTokens(text);
  if (cap !== null && completionTokens > cap) {
    text = cutToTokens(text, cap);
    completionTokens = countTokens(text);
    finishReason = 'length';
  }
  return { task, text, toolCall: null, finishReason, completionTokens };
}
