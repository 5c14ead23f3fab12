/**
 * Task type from the prompt, by keyword features: no model call, no regular
 * expression, one pass over a bounded window of text.
 *
 * Keywords are word-start stems (`summar` matches summary, summarise,
 * summarize) or whole words (`why`, `aml`), held in a trie keyed by folded
 * character codes. The scan walks the trie from each word start and keeps the
 * longest keyword that ends there, so its cost is linear in the text scanned,
 * nothing backtracks, and a phrase overrides its first word (`reply with` is
 * a format instruction, not a support reply; `loss ratio` is underwriting,
 * not a claim).
 *
 * Weights: the verbs that name the job (summarize, classify, extract, reply,
 * refactor, analyse) and the judgements that make a task regulated (payout,
 * sanctions, risk score) weigh 4 or 5; domain nouns (claim, passport,
 * applicant) weigh 1 or 2, so "summarize this claim file" stays a summary.
 *
 * Where a keyword first appears decides how much it counts. The instruction
 * is the last user message's opening paragraph (up to its first blank line,
 * at most 400 characters), or, when that says nothing, its closing paragraph
 * (instructions come first or last): x3. The system prompt: x2. Everything
 * else in the message is material to work on (a claim file, a report, a
 * customer's email): x1, and at most BODY_CAP per task, so a document full of
 * domain words cannot outvote the instruction. Light keywords (weight 2 or
 * less) in the instruction and system prompt add at most MINOR_CAP per task.
 * Each keyword counts once. Shape features add to code (braces and
 * semicolons) or analysis (many questions, a very long message).
 *
 * The highest score wins; ties go to the task listed first in TIE_ORDER
 * (regulated work before generic work: under-routing it costs more than
 * over-routing). Below MIN_SCORE the prompt says too little: `other`.
 */
import { TASK_TYPES, type TaskType } from '../enums';
import { messageText, type CountableMessage } from '../tokens';

export interface InferredTask {
  task: TaskType;
  /** The keywords and shape features that decided it, for `route_reason` and debugging. */
  features: string[];
}

type Rule = readonly [keyword: string, weight: number, whole?: 'whole'];

/** Keyword rules per task type (lower case; a space matches any whitespace character). */
const RULES: Readonly<Record<Exclude<TaskType, 'other'>, readonly Rule[]>> = {
  summarize: [
    ['summar', 5], ['tl;dr', 5], ['tldr', 5, 'whole'], ['recap', 4], ['synopsis', 5], ['condense', 4], ['key points', 3],
    ['key takeaways', 3], ['in a nutshell', 3], ['brief overview', 3], ['shorten', 3], ['gist', 3, 'whole'], ['boil down', 3], ['boil this down', 3], ['boil it down', 3],
    ['bullet', 1], ['one paragraph', 1], ['digest', 1, 'whole'],
  ],
  classify: [
    ['classif', 5], ['categor', 5], ['label', 3], ['sentiment', 4], ['intent', 2], ['spam', 2, 'whole'], ['tag', 3, 'whole'],
    ['tags', 3, 'whole'], ['triage', 3], ['toxic', 2], ['which bucket', 5], ['one of the following', 3], ['pick one', 3], ['topic', 1],
    ['one word', 3], ['right team', 4], ['which team', 4], ['which department', 4],
  ],
  extract: [
    ['extract', 5], ['fields', 3, 'whole'], ['field', 1, 'whole'], ['json', 3], ['parse', 3], ['parsing', 3], ['pull out', 4],
    ['key-value', 3], ['schema', 2], ['entit', 1], ['structured', 2], ['fill in', 1], ['fill out', 1], ['line items', 2], ['ocr', 1, 'whole'],
    ['named entit', 4], ['list every', 3], ['list all', 3],
  ],
  kyc_check: [
    ['kyc', 5], ['know your customer', 5], ['identity', 3], ['passport', 2], ['sanction', 4], ['aml', 5, 'whole'], ['anti-money', 5],
    ['money launder', 5], ['politically exposed', 5], ['pep', 4, 'whole'], ['peps', 4, 'whole'], ['beneficial owner', 3],
    ['ofac', 4, 'whole'], ['watchlist', 4], ['watch list', 4], ['proof of address', 2], ['source of funds', 3], ['source of wealth', 3],
    ['id document', 2], ["driver's licen", 2], ['adverse media', 4], ['due diligence', 4], ['cdd', 4, 'whole'], ['edd', 4, 'whole'],
    ['onboarding', 1], ['screen', 2], ['suspicious', 2], ['open an account', 3], ['account opening', 3],
  ],
  claims_adjust: [
    ['claim', 2], ['adjust', 2], ['damage', 1], ['payout', 5], ['pay out', 4], ['deductible', 2], ['loss', 1, 'whole'],
    ['fnol', 4, 'whole'], ['first notice of loss', 4], ['subrogat', 4], ['repair estimate', 2], ['total loss', 3], ['reimburs', 2],
    ['settle', 2], ['collision', 1], ['hail', 1, 'whole'], ['policyholder', 1], ['approve or deny', 4], ['coverage decision', 4],
    ['reserve', 2], ['liability', 2], ['fraud', 2],
  ],
  underwrite: [
    ['underwrit', 5], ['premium', 3], ['risk score', 5], ['risk scor', 5], ['risk rating', 4], ['risk class', 4], ['applicant', 2],
    ['insurab', 4], ['actuar', 3], ['loss ratio', 3], ['loss history', 2], ['rating factor', 3], ['mortality', 3], ['morbidity', 3],
    ['sum insured', 2], ['coverage limit', 2], ['quote', 1], ['bind', 2, 'whole'], ['exposure', 1], ['prior losses', 2],
    ['loss runs', 3], ['risk appetite', 4], ['accept or decline', 4], ['this risk', 3],
  ],
  code: [
    ['```', 5], ['function', 2], ['stack trace', 4], ['stacktrace', 4], ['traceback', 5], ['exception', 2], ['typeerror', 5],
    ['syntaxerror', 5], ['referenceerror', 5], ['nullpointer', 5], ['null pointer', 4], ['segfault', 5], ['segmentation fault', 5],
    ['refactor', 5], ['unit test', 4], ['compile', 2], ['debug', 4], ['bug', 3, 'whole'], ['bugs', 3, 'whole'], ['regex', 3],
    ['sql', 3, 'whole'], ['python', 2], ['typescript', 3], ['javascript', 3], ['java', 2, 'whole'], ['golang', 2], ['kotlin', 2],
    ['api', 1, 'whole'], ['endpoint', 1], ['def', 2, 'whole'], ['const', 1, 'whole'], ['undefined', 2, 'whole'], ['npm', 2, 'whole'],
    ['pip install', 3], ['git', 2, 'whole'], ['docker', 2], ['kubernetes', 2], ['code review', 4], ['pull request', 3], ['code', 1, 'whole'],
    ['script', 2], ['valueerror', 5], ['keyerror', 5], ['attributeerror', 5], ['indexerror', 5], ['importerror', 5],
    ['runtimeerror', 5], ['fatal error', 3], ['goroutine', 3], ['deadlock', 2], ['import', 1, 'whole'],
  ],
  analysis: [
    ['analy', 5], ['compare', 4], ['comparison', 4], ['why', 2, 'whole'], ['trade-off', 3], ['tradeoff', 3], ['root cause', 4],
    ['evaluat', 3], ['pros and cons', 4], ['implication', 3], ['forecast', 3], ['trend', 3], ['step by step', 2], ['explain', 2],
    ['strateg', 2], ['assess', 2], ['impact', 1], ['what would happen', 3], ['scenario', 2], ['hypothes', 2], ['reason through', 3],
    ['think through', 3], ['investigat', 2], ['insight', 2], ['correlat', 3], ['versus', 2, 'whole'], ['vs', 2, 'whole'],
    ['which is better', 3], ['recommend', 1], ['deep dive', 3], ['break down', 1], ["what's driving", 3], ['what is driving', 3],
    ["what's going on", 2], ['what you think', 2],
  ],
  support_reply: [
    ['customer', 1], ['reply', 4], ['respond', 4], ['draft a', 2], ['ticket', 2], ['complain', 2], ['apolog', 3], ['refund', 2],
    ['write back', 4], ['email', 1], ['support', 1], ['dear', 1, 'whole'], ['help desk', 2], ['helpdesk', 2], ['frustrated', 2],
    ['angry', 2], ['polite', 3], ['empath', 3], ['tone', 1, 'whole'], ['on behalf of', 1], ['order', 1, 'whole'], ['shipping', 1],
    ['delivery', 1], ['cancel', 1], ['subscription', 1], ['password', 1], ['account', 1], ['answer this', 2], ['get back to', 2],
    ['draft a response', 4], ['draft a reply', 4], ['let them know', 3], ['let the customer know', 3],
  ],
};

/** Phrases that mean nothing for the task but override a keyword they start with (`reply with one word`). */
const NEUTRAL: readonly string[] = [
  'reply with', 'reply only', 'reply in', 'respond with', 'respond only', 'respond in', 'answer with', 'customer id', 'customer number',
  'order number', 'claim number', 'claim id', 'code snippet',
];

/** Ties go to the earlier task. */
const TIE_ORDER: readonly TaskType[] = ['kyc_check', 'claims_adjust', 'underwrite', 'code', 'extract', 'classify', 'summarize', 'analysis', 'support_reply'];
/** Below this score the prompt says too little: `other`. One weight-1 keyword in the instruction zone scores 3. */
const MIN_SCORE = 3;
/** The instruction: the message's first (or last) paragraph, at most this many characters. */
const ZONE = 400;
/**
 * The material is scanned whole up to 2,000 characters, else its first 1,500
 * and last 500; the system prompt's first 1,000. At most about 3,800
 * characters are read however long the prompt (the scan costs a few ns per
 * character).
 */
const BODY_WHOLE = 2_000;
const BODY_HEAD = 1_500;
const BODY_TAIL = 500;
const SYSTEM_SCAN = 1_000;
const INSTRUCTION_FACTOR = 3;
const SYSTEM_FACTOR = 2;
/** A user message longer than this (about 2,000 tokens) leans toward analysis. */
const LONG_PROMPT_CHARS = 8_000;
/** Braces and semicolons that make a message look like code. */
const CODE_PUNCTUATION = 8;
const MANY_QUESTIONS = 3;
const SHAPE_SCORE = 6;
/**
 * Keywords of this weight or less are light; their scaled sum per task is
 * capped. MINOR_CAP + BODY_CAP (14) stays below one job verb in the
 * instruction (5 x 3 = 15): nouns alone never outvote the verb.
 */
const MINOR_WEIGHT = 2;
const MINOR_CAP = 8;
/** What the material (outside the instruction and system prompt) may add per task. */
const BODY_CAP = 6;
const MAX_FEATURES = 8;

const TASK_INDEX = new Map<TaskType, number>(TASK_TYPES.map((t, i) => [t, i]));
const CODE = TASK_INDEX.get('code')!;
const ANALYSIS = TASK_INDEX.get('analysis')!;
const NO_TASK = -1;

interface Keyword {
  text: string;
  /** Index into TASK_TYPES, or NO_TASK for a neutral phrase. */
  task: number;
  weight: number;
  whole: boolean;
}

const KEYWORDS: Keyword[] = [];
for (const [task, rules] of Object.entries(RULES) as [TaskType, readonly Rule[]][]) {
  for (const [text, weight, whole] of rules) KEYWORDS.push({ text, task: TASK_INDEX.get(task)!, weight, whole: whole === 'whole' });
}
for (const text of NEUTRAL) KEYWORDS.push({ text, task: NO_TASK, weight: 0, whole: false });

/**
 * ASCII folded for matching: upper case to lower, tab and line breaks to a
 * space. Any code of 128 or more is a letter that no keyword contains (the
 * typographic apostrophe aside, read as `'`).
 */
const FOLD = new Uint8Array(128);
/** 1 for letters and digits. */
const WORD = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  FOLD[c] = c >= 65 && c <= 90 ? c + 32 : c === 9 || c === 10 || c === 13 ? 32 : c;
  WORD[c] = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) ? 1 : 0;
}
const APOSTROPHE = 0x2019;

/** The trie as flat tables: symbol per folded code, transitions per (node, symbol), keyword ending per node. */
const SYMBOL = new Int8Array(128).fill(-1);
let symbols = 0;
for (const k of KEYWORDS) {
  for (let i = 0; i < k.text.length; i++) {
    const c = k.text.charCodeAt(i);
    if (c >= 128 || FOLD[c] !== c) throw new Error(`keyword not folded ASCII: ${k.text}`);
    if (SYMBOL[c] === -1) SYMBOL[c] = symbols++;
  }
}
const SYMBOLS = symbols;
/** Transitions per (node, symbol), node 0 the root; 0 means none. END: the keyword id ending at each node, or -1. */
const { NEXT, END } = (() => {
  const next: number[] = new Array<number>(SYMBOLS).fill(0);
  const ends: number[] = [-1];
  KEYWORDS.forEach((k, id) => {
    let node = 0;
    for (let i = 0; i < k.text.length; i++) {
      const slot = node * SYMBOLS + SYMBOL[k.text.charCodeAt(i)]!;
      if (next[slot] === 0) {
        next[slot] = ends.length;
        ends.push(-1);
        for (let x = 0; x < SYMBOLS; x++) next.push(0);
      }
      node = next[slot]!;
    }
    if (ends[node] !== -1) throw new Error(`keyword listed twice: ${k.text}`);
    ends[node] = id;
  });
  return { NEXT: Int32Array.from(next), END: Int32Array.from(ends) };
})();
const WHOLE = Uint8Array.from(KEYWORDS, (k) => (k.whole ? 1 : 0));

/** The trie symbol of a raw UTF-16 code, or -1. */
function symbolOf(raw: number): number {
  if (raw < 128) return SYMBOL[FOLD[raw]!]!;
  return raw === APOSTROPHE ? SYMBOL[39]! : -1;
}

/** Whether the character at j continues a word (a letter or digit, or any non-ASCII). */
function wordAt(text: string, j: number): boolean {
  const raw = text.charCodeAt(j);
  return raw >= 128 ? raw !== APOSTROPHE : WORD[raw] === 1;
}

interface ScanState {
  /** Heavy keywords in the instruction and system prompt, scaled. */
  major: Float64Array;
  /** Light keywords in the instruction and system prompt, scaled; capped at MINOR_CAP. */
  minor: Float64Array;
  /** Keywords in the material; capped at BODY_CAP. */
  body: Float64Array;
  /** Per keyword: equal to `call` once counted in this call. */
  seen: Uint32Array;
  call: number;
  features: string[];
  /** Keywords found, for telling whether the opening paragraph said anything. */
  hits: number;
  braces: number;
  questions: number;
}

/** Scores the keywords that start in [from, to) of `text`, each at most once: scaled by `factor`, or as material when it is 0. */
function scan(text: string, from: number, to: number, factor: number, s: ScanState): void {
  const n = text.length;
  let prevWord = from > 0 && wordAt(text, from - 1);
  for (let i = from; i < to; i++) {
    const raw = text.charCodeAt(i);
    if (raw >= 128) {
      prevWord = raw !== APOSTROPHE;
      continue;
    }
    if (raw === 123 || raw === 125 || raw === 59) s.braces++;
    else if (raw === 63) s.questions++;
    if (!prevWord) {
      const sym = SYMBOL[FOLD[raw]!]!;
      if (sym >= 0) {
        let node = NEXT[sym]!;
        let j = i + 1;
        let longest = -1;
        while (node !== 0) {
          const end = END[node]!;
          if (end >= 0 && (WHOLE[end] === 0 || j >= n || !wordAt(text, j))) longest = end;
          if (j >= n) break;
          const next = symbolOf(text.charCodeAt(j));
          if (next < 0) break;
          node = NEXT[node * SYMBOLS + next]!;
          j++;
        }
        if (longest >= 0 && s.seen[longest] !== s.call) record(longest, factor, s);
      }
    }
    prevWord = WORD[raw] === 1;
  }
}

function record(id: number, factor: number, s: ScanState): void {
  s.seen[id] = s.call;
  const k = KEYWORDS[id]!;
  if (k.task === NO_TASK) return;
  s.hits++;
  if (factor === 0) s.body[k.task]! += k.weight;
  else if (k.weight <= MINOR_WEIGHT) s.minor[k.task]! += k.weight * factor;
  else s.major[k.task]! += k.weight * factor;
  if (s.features.length < MAX_FEATURES) s.features.push(k.text);
}

/** Index of the first blank line in [from, to), or -1. */
function firstBlankLine(text: string, from: number, to: number): number {
  let lineStart = -1;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      if (lineStart >= 0) return lineStart;
      lineStart = i;
    } else if (c !== 13 && c !== 32 && c !== 9) {
      lineStart = -1;
    }
  }
  return -1;
}

/** Index just after the last blank line in [from, to), or -1. */
function afterLastBlankLine(text: string, from: number, to: number): number {
  let lineEnd = -1;
  for (let i = to - 1; i >= from; i--) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      if (lineEnd >= 0) return lineEnd;
      lineEnd = i + 1;
    } else if (c !== 13 && c !== 32 && c !== 9) {
      lineEnd = -1;
    }
  }
  return -1;
}

/** Scans material in [from, to), bounded. */
function scanBody(text: string, from: number, to: number, s: ScanState): void {
  if (to - from <= BODY_WHOLE) {
    scan(text, from, to, 0, s);
  } else {
    scan(text, from, from + BODY_HEAD, 0, s);
    scan(text, to - BODY_TAIL, to, 0, s);
  }
}

/** The last user message: its instruction (opening, else closing paragraph), then the material around it. */
function scanUserMessage(text: string, s: ScanState): void {
  const n = text.length;
  const blank = firstBlankLine(text, 0, Math.min(n, ZONE));
  const headEnd = blank >= 0 ? blank : Math.min(n, ZONE);
  scan(text, 0, headEnd, INSTRUCTION_FACTOR, s);
  if (headEnd >= n) return;
  let tailStart = n;
  if (s.hits === 0) {
    const after = afterLastBlankLine(text, Math.max(headEnd, n - ZONE), n);
    tailStart = after >= 0 ? after : Math.max(headEnd, n - ZONE);
    scan(text, tailStart, n, INSTRUCTION_FACTOR, s);
  }
  scanBody(text, headEnd, tailStart, s);
}

/**
 * Scratch space reused by every call (typed-array allocation would cost more
 * than the scan). inferTask is synchronous and calls nothing outside this
 * module, so no two calls ever share it at once; results depend on the input
 * only.
 */
const SCRATCH: ScanState = {
  major: new Float64Array(TASK_TYPES.length),
  minor: new Float64Array(TASK_TYPES.length),
  body: new Float64Array(TASK_TYPES.length),
  seen: new Uint32Array(KEYWORDS.length),
  call: 0,
  features: [],
  hits: 0,
  braces: 0,
  questions: 0,
};

/**
 * The task type of a chat request, from its last user message (or, without
 * one, its last message) and its system prompt.
 */
export function inferTask(messages: readonly CountableMessage[]): InferredTask {
  const s = SCRATCH;
  s.major.fill(0);
  s.minor.fill(0);
  s.body.fill(0);
  s.call = s.call === 0xffffffff ? 1 : s.call + 1;
  if (s.call === 1) s.seen.fill(0);
  s.features = [];
  s.hits = 0;
  s.braces = 0;
  s.questions = 0;

  let user = -1;
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i]!.role === 'user') {
      user = i;
      break;
    }
  }
  if (user < 0) user = messages.length - 1;
  const userText = user >= 0 ? messageText(messages[user]!.content) : '';
  scanUserMessage(userText, s);
  const { braces, questions } = s;

  let systemBudget = SYSTEM_SCAN;
  for (const m of messages) {
    if (systemBudget <= 0) break;
    if (m.role !== 'system' && m.role !== 'developer') continue;
    const text = messageText(m.content);
    const to = Math.min(text.length, systemBudget);
    scan(text, 0, to, SYSTEM_FACTOR, s);
    systemBudget -= to;
  }

  if (braces >= CODE_PUNCTUATION) {
    s.major[CODE]! += SHAPE_SCORE;
    s.features.push('code_punctuation');
  }
  if (questions >= MANY_QUESTIONS) {
    s.major[ANALYSIS]! += SHAPE_SCORE / 2;
    s.features.push('many_questions');
  }
  if (userText.length > LONG_PROMPT_CHARS) {
    s.major[ANALYSIS]! += SHAPE_SCORE / 2;
    s.features.push('long_prompt');
  }

  let best: TaskType = 'other';
  let bestScore = MIN_SCORE - 1e-9;
  for (const task of TIE_ORDER) {
    const t = TASK_INDEX.get(task)!;
    const score = s.major[t]! + Math.min(s.minor[t]!, MINOR_CAP) + Math.min(s.body[t]!, BODY_CAP);
    if (score > bestScore) {
      best = task;
      bestScore = score;
    }
  }
  return { task: best, features: s.features };
}

/** Spellings the header also accepts, besides the task names themselves. */
const TASK_ALIASES: Readonly<Record<string, TaskType>> = {
  summarise: 'summarize',
  summary: 'summarize',
  classification: 'classify',
  extraction: 'extract',
  kyc: 'kyc_check',
  claims: 'claims_adjust',
  claim: 'claims_adjust',
  underwriting: 'underwrite',
  support: 'support_reply',
  analyse: 'analysis',
  analyze: 'analysis',
};
const TASK_NAMES = new Set<string>(TASK_TYPES);

/** `x-tollgate-task`: a task type, case-insensitive, hyphens or spaces for underscores; null when unknown or absent. */
export function parseTaskHeader(value: string | null | undefined): TaskType | null {
  if (!value) return null;
  const key = value.trim().toLowerCase().replace(/[-\s]+/g, '_');
  if (TASK_NAMES.has(key)) return key as TaskType;
  return TASK_ALIASES[key] ?? null;
}
