/**
 * The word lists the semantic cache reads, in one place so a reviewer can
 * audit exactly what is treated as filler, as a synonym, as a fact or as a
 * polarity. Everything is lowercase surface forms; normalise.ts stems them.
 */

/**
 * A lookup table with no prototype: `'constructor' in MONTHS` is false, so a
 * prompt's words can be looked up with `in` and `[]` safely.
 */
export function table<T>(entries: Record<string, T>): Readonly<Record<string, T>> {
  return Object.freeze(Object.assign(Object.create(null) as Record<string, T>, entries));
}

/** Function words: kept in the vector at a low weight, never a content term. */
export const STOP_WORDS: readonly string[] = [
  'a', 'an', 'the', 'and', 'as', 'at', 'by', 'for', 'from', 'in', 'into', 'of', 'on', 'onto', 'to', 'with', 'within', 'about',
  'via', 'per', 'through', 'during', 'than', 'then', 'so', 'such', 'also', 'too', 'very', 'just', 'really', 'quite', 'like',
  'this', 'that', 'these', 'those', 'it', 'its', 'itself',
  'you', 'your', 'yours', 'i', 'me', 'my', 'mine', 'myself', 'yourself', 'be', 'is', 'am', 'are', 'was', 'were', 'been',
  'being', 'do', 'does', 'did', 'doing', 'done', 'have', 'has', 'had', 'having', 'there', 'here', 'if', 'whether',
  'please', 'kindly', 'thanks', 'thank', 'hi', 'hello', 'hey', 'dear', 'let', 'okay', 'ok', 'sure', 'well', 'now', 'currently',
  'actually', 'basically', 'simply', 'again', 'whose', 'whom', 'out', 'following', 'given', 'over', 'under', 'above', 'below', 'beyond',
  'based', 'according', 'regarding', 'concerning', 'related', 'relating', 'attached', 'provided', 'mentioned', 'said',
];

/**
 * Words that are stop words in ordinary text but flip a business meaning, so
 * they are kept as content terms (and, where they have an opposite, as a
 * polarity): question words, modals, quantifiers and gendered pronouns.
 */
export const KEPT_FUNCTION_WORDS: readonly string[] = [
  'what', 'which', 'who', 'when', 'where', 'why', 'how', 'can', 'could', 'should', 'must', 'may', 'might', 'will', 'would',
  'shall', 'we', 'us', 'our', 'ours', 'they', 'them', 'their', 'theirs', 'all', 'any', 'some', 'only', 'both', 'either', 'each', 'every', 'or', 'he', 'him', 'his', 'she', 'her', 'hers',
];

/**
 * Terms a paraphrase may add or drop without changing the request: pronouns,
 * hypothetical modals, question words and generic verbs of asking. Any
 * other added or dropped content word (`medical`, `legal`, `express`) makes
 * a different request.
 */
export const WEAK_TERMS: readonly string[] = [
  'we', 'us', 'our', 'ours', 'they', 'them', 'their', 'theirs', 'would', 'could', 'who', 'what', 'which', 'list', 'all',
  'check', 'determine', 'review', 'see', 'explain', 'tell', 'help', 'need', 'write',
];

/** Negation cues; the fact records the cue class and the word it scopes over. */
export const NEGATION_CUES: Readonly<Record<string, 'not' | 'except' | 'unless'>> = table({
  not: 'not', no: 'not', never: 'not', none: 'not', nobody: 'not', nothing: 'not', nowhere: 'not', neither: 'not', nor: 'not',
  without: 'not', lack: 'not', lacks: 'not', lacking: 'not', except: 'except', excluding: 'except', unless: 'unless',
});

/** Negative words whose positive is a plain word: `unpaid` scopes like `not paid`. */
export const AFFIX_NEGATIVES: Readonly<Record<string, string>> = table({
  unpaid: 'paid', unapproved: 'approved', unverified: 'verified', unsigned: 'signed', unresolved: 'resolved',
  unauthorised: 'authorised', unauthorized: 'authorized', unavailable: 'available', unable: 'able', unknown: 'known',
  unsuccessful: 'successful', unclear: 'clear', unhappy: 'happy', unreasonable: 'reasonable', uninsured: 'insured',
  undisclosed: 'disclosed', unreported: 'reported', unread: 'read', unsupported: 'supported', uncovered: 'covered',
  undelivered: 'delivered', unprocessed: 'processed', unassigned: 'assigned', unused: 'used', unlikely: 'likely',
  unusual: 'usual', unacceptable: 'acceptable', unfair: 'fair', unsafe: 'safe', incorrect: 'correct',
  inaccurate: 'accurate', incomplete: 'complete', inactive: 'active', ineligible: 'eligible', insufficient: 'sufficient',
  invalid: 'valid', inconsistent: 'consistent', illegal: 'legal', illegible: 'legible', irregular: 'regular', irrelevant: 'relevant',
  improper: 'proper', impossible: 'possible', disapproved: 'approved', disapprove: 'approve', disagree: 'agree',
  disagrees: 'agrees', dissatisfied: 'satisfied', dishonest: 'honest', noncompliant: 'compliant', nonpayment: 'payment',
  nonrefundable: 'refundable',
});

/**
 * Opposites. Each group is [positive words, negative words]; a text carrying
 * one pole never matches a text carrying the other pole or neither.
 */
export const POLARITY_GROUPS: Readonly<Record<string, readonly [readonly string[], readonly string[]]>> = table({
  approve: [['approve', 'approved', 'approval', 'accept', 'accepted', 'grant', 'granted', 'authorise', 'authorize'], ['deny', 'denied', 'denial', 'reject', 'rejected', 'rejection', 'decline', 'declined', 'refuse', 'refused', 'disallow', 'forbid', 'block', 'blocked', 'veto']],
  increase: [['increase', 'increased', 'raise', 'raised', 'rise', 'grow', 'growth', 'higher', 'more', 'greater', 'boost'], ['decrease', 'decreased', 'reduce', 'reduced', 'reduction', 'lower', 'lowered', 'cut', 'drop', 'less', 'fewer', 'shrink']],
  above: [['exceed', 'exceeds', 'exceeded', 'exceeding', 'surpass'], ['undercut']],
  after: [['after', 'later', 'since'], ['before', 'earlier', 'until', 'prior']],
  most: [['most', 'highest', 'largest', 'biggest', 'maximum', 'max', 'top', 'best', 'latest', 'newest'], ['least', 'lowest', 'smallest', 'minimum', 'min', 'bottom', 'worst', 'earliest', 'oldest']],
  open: [['open', 'opened', 'opening', 'reopen', 'reopened'], ['close', 'closed', 'closing', 'shut']],
  include: [['include', 'included', 'including', 'inclusive'], ['remove', 'removed', 'delete', 'deleted', 'exclude', 'excluded', 'erase', 'detach', 'omit']],
  enable: [['enable', 'enabled', 'activate', 'activated'], ['disable', 'disabled', 'deactivate', 'deactivated']],
  credit: [['credit', 'credited', 'deposit', 'inbound', 'incoming'], ['debit', 'debited', 'withdraw', 'withdrawal', 'outbound', 'outgoing']],
  buy: [['buy', 'bought', 'purchase', 'purchased', 'import'], ['sell', 'sold', 'sale', 'export']],
  pass: [['pass', 'passed', 'success', 'successful', 'succeed', 'true', 'positive', 'win', 'gain', 'profit'], ['fail', 'failed', 'failure', 'false', 'negative', 'lose', 'loss', 'lost']],
  upgrade: [['upgrade', 'upgraded', 'promote', 'escalate', 'escalated'], ['downgrade', 'downgraded', 'demote', 'deescalate']],
  lock: [['lock', 'locked', 'freeze', 'frozen', 'suspend', 'suspended', 'hold'], ['unlock', 'unlocked', 'unfreeze', 'release', 'released', 'resume', 'reinstate']],
  same: [['same', 'identical', 'similar', 'match', 'matches', 'matching'], ['different', 'differ', 'differs', 'mismatch', 'mismatched', 'distinct']],
  internal: [['internal', 'internally'], ['external', 'externally']],
  gender: [['he', 'him', 'his', 'male', 'mr'], ['she', 'her', 'hers', 'female', 'mrs']],
  sort: [['ascending', 'asc'], ['descending', 'desc']],
  formal: [['formal', 'formally'], ['informal', 'casual']],
  urgent: [['urgent', 'urgently'], ['routine']],
  payable: [['payable', 'payables'], ['receivable', 'receivables']],
  input: [['input', 'inputs', 'upload'], ['output', 'outputs', 'download']],
});

/**
 * Synonym groups; every word of a group becomes the group's first word.
 * Instruction verbs first: the same request is phrased many ways.
 */
export const SYNONYM_GROUPS: readonly (readonly string[])[] = [
  ['summarize', 'summarise', 'summary', 'summaries', 'summarisation', 'summarization', 'recap', 'synopsis', 'tldr', 'condense', 'overview'],
  ['classify', 'classification', 'categorise', 'categorize', 'categorisation', 'categorization', 'category', 'label', 'tag', 'bucket', 'triage'],
  ['list', 'enumerate', 'itemise', 'itemize', 'show', 'display', 'give', 'provide', 'return', 'get', 'find', 'locate', 'search', 'lookup',
    'identify', 'what', 'which', 'retrieve', 'fetch'],
  ['extract', 'pull'],
  ['write', 'draft', 'compose', 'prepare', 'create', 'generate', 'produce'],
  ['calculate', 'compute', 'calculation', 'computation'],
  ['schedule', 'book', 'arrange'],
  ['increase', 'raise', 'boost'],
  ['decrease', 'reduce', 'lower', 'cut'],
  ['retain', 'keep', 'retention'],
  ['remaining', 'left'],
  ['reply', 'respond', 'response', 'answer'],
  ['explain', 'describe', 'explanation', 'description'],
  ['check', 'verify', 'confirm', 'verification', 'confirmation'],
  ['determine', 'decide', 'assess', 'evaluate', 'assessment', 'evaluation', 'judge'],
  ['suggest', 'recommend', 'propose', 'advise', 'suggestion', 'recommendation', 'proposal', 'advice'],
  ['rewrite', 'rephrase', 'reword', 'paraphrase'],
  ['translate', 'translation'],
  ['flag', 'highlight', 'mark'],
  ['need', 'want', 'require', 'requirement'],
  ['customer', 'client', 'customers', 'clients'],
  ['document', 'doc', 'docs', 'paperwork'],
  ['email', 'e-mail', 'mail'],
  ['invoice', 'bill'],
  ['issue', 'problem'],
  ['company', 'firm', 'business', 'organisation', 'organization', 'vendor', 'supplier'],
  ['contract', 'agreement'],
  ['refund', 'reimburse', 'reimbursement'],
  ['complaint', 'grievance'],
  ['main', 'key', 'primary', 'principal', 'major', 'important', 'critical'],
  ['use', 'utilise', 'utilize', 'employ', 'using'],
  ['bullet', 'bullets', 'bulleted', 'point', 'points'],
  ['reason', 'rationale', 'justification'],
  ['all', 'every', 'each', 'entire', 'whole'],
  ['status', 'progress'],
  ['amount', 'sum', 'total', 'value'],
  ['pay', 'payment', 'paid', 'payout', 'settle', 'settled', 'settlement'],
  ['note', 'notes', 'comment', 'comments', 'record'],
  ['sentence', 'sentences', 'line', 'lines'],
  ['step', 'steps', 'action', 'actions'],
];

/**
 * Multi-word rewrites applied before tokenising (case-insensitive). They
 * remove politeness and fold common periphrases into one verb; none of them
 * touches a number, id, date or negation.
 */
export const PHRASE_REWRITES: readonly (readonly [RegExp, string])[] = [
  [/\b(?:could|can|would|will) you(?: please)?(?: kindly)?\b/gi, ' '],
  [/\bi(?: would|'d)? (?:like|want|need) you to\b/gi, ' '],
  [/\bi(?: would|'d) like (?:to (?:get|have|see) )?/gi, ' '],
  [/\b(?:help me|for me|thank you|thanks)\b/gi, ' '],
  [/\b(?:go ahead and|be sure to|make sure (?:you|to))\b/gi, ' '],
  [/\b(?:tell|show) me\b/gi, ' '],
  [/\b(?:give|provide|write|produce|create|prepare|draft|make|generate|get|need|want|do)(?: me| us)?(?: with)? (?:an?|the|some) (short |brief |quick |concise |detailed |full )?(?:summary|synopsis|recap|overview|rundown) (?:of|for|on)\b/gi, ' $1summarize '],
  [/\b(?:sum up|boil down|tl;dr|tl dr)\b/gi, ' summarize '],
  [/\b(?:give|provide|make|put together|create|prepare|produce|generate|compile|draw up)(?: me| us)?(?: with)? (?:an?|the) list (?:of|for)\b/gi, ' list '],
  [/\b(?:give|provide|write|draft|compose|prepare)(?: me| us)? (?:an?|the) (?:reply|response|answer) to\b/gi, ' reply to '],
  [/\b(?:pull out|pick out|take out)\b/gi, ' extract '],
  [/\b(?:look up|look for|search for|find out|figure out)\b/gi, ' find '],
  [/\b(?:work out)\b/gi, ' calculate '],
  [/\b(?:set up)\b/gi, ' schedule '],
  [/\bwith effect from\b/gi, ' from '],
  [/\bhow many\b/gi, ' count '],
  [/\b(?:the )?number of\b/gi, ' count '],
  [/\b(?:is|are) there (?:an?y? )?/gi, ' '],
  [/\b(?:in|as|into|using) (bullet points|bullets|bullet form|a bulleted list|a bullet list)\b/gi, ' bullet '],
  [/\b(?:what|which) (?:is|are|was|were)\b/gi, ' what '],
];

export const MONTHS: Readonly<Record<string, number>> = table({
  january: 1, jan: 1, february: 2, feb: 2, march: 3, mar: 3, april: 4, apr: 4, may: 5, june: 6, jun: 6, july: 7, jul: 7,
  august: 8, aug: 8, september: 9, sep: 9, sept: 9, october: 10, oct: 10, november: 11, nov: 11, december: 12, dec: 12,
});

/** Month names that are also ordinary words: a month only beside a day, a year or a date preposition. */
export const AMBIGUOUS_MONTHS: ReadonlySet<string> = new Set(['may', 'march', 'mar', 'jan', 'jun', 'aug', 'sep', 'oct', 'nov', 'dec', 'apr', 'feb', 'jul']);

export const WEEKDAYS: readonly string[] = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

/** Single words that name a moment relative to now. */
export const RELATIVE_DAYS: Readonly<Record<string, string>> = table({
  today: 'today', tonight: 'today', yesterday: 'yesterday', tomorrow: 'tomorrow', ytd: 'ytd', mtd: 'mtd', qtd: 'qtd',
  overnight: 'overnight', weekend: 'weekend', ago: 'ago',
});

/** Direction words that make the following period relative: `next week`, `last 30 days`. */
export const RELATIVE_DIRECTIONS: Readonly<Record<string, string>> = table({
  next: 'next', upcoming: 'next', coming: 'next', last: 'last', previous: 'last', past: 'last',
  prior: 'last', preceding: 'last', this: 'this', current: 'this',
});

export const PERIOD_WORDS: Readonly<Record<string, string>> = table({
  day: 'day', days: 'day', week: 'week', weeks: 'week', month: 'month', months: 'month', quarter: 'quarter',
  quarters: 'quarter', year: 'year', years: 'year', weekend: 'weekend', hour: 'hour', hours: 'hour', fortnight: 'fortnight',
});

export const PERIODIC: Readonly<Record<string, string>> = table({
  hourly: 'hour', daily: 'day', weekly: 'week', biweekly: 'fortnight', fortnightly: 'fortnight', monthly: 'month',
  quarterly: 'quarter', yearly: 'year', annual: 'year', annually: 'year',
});

export const NUMBER_WORDS: Readonly<Record<string, number>> = table({
  zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11, twelve: 12,
  thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17, eighteen: 18, nineteen: 19, twenty: 20, thirty: 30,
  forty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90, dozen: 12, half: 0.5, single: 1, twice: 2, double: 2,
  triple: 3,
});

export const SCALE_WORDS: Readonly<Record<string, number>> = table({
  hundred: 100, thousand: 1_000, k: 1_000, million: 1_000_000, mn: 1_000_000, mm: 1_000_000, m: 1_000_000,
  billion: 1_000_000_000, bn: 1_000_000_000, b: 1_000_000_000,
});

export const ORDINALS: Readonly<Record<string, number>> = table({
  first: 1, second: 2, third: 3, fourth: 4, fifth: 5, sixth: 6, seventh: 7, eighth: 8, ninth: 9, tenth: 10,
  eleventh: 11, twelfth: 12, twentieth: 20, hundredth: 100,
});

export const ORDINAL_SUFFIXES: ReadonlySet<string> = new Set(['st', 'nd', 'rd', 'th']);

/** Currency symbols, codes and names, to ISO codes. */
export const CURRENCIES: Readonly<Record<string, string>> = table({
  $: 'usd', us$: 'usd', usd: 'usd', dollar: 'usd', dollars: 'usd', bucks: 'usd', '€': 'eur', eur: 'eur', euro: 'eur',
  euros: 'eur', '£': 'gbp', gbp: 'gbp', sterling: 'gbp', '¥': 'jpy', jpy: 'jpy', yen: 'jpy', '₹': 'inr', inr: 'inr',
  rupee: 'inr', rupees: 'inr', chf: 'chf', franc: 'chf', francs: 'chf', cad: 'cad', aud: 'aud', sgd: 'sgd', hkd: 'hkd',
  cny: 'cny', yuan: 'cny', rmb: 'cny', sek: 'sek', nok: 'nok', dkk: 'dkk', zar: 'zar', brl: 'brl', mxn: 'mxn', cents: 'cent', cent: 'cent',
  pence: 'pence', p: 'pence', pound: 'pound', pounds: 'pound',
});

/** Units that may follow a number, to one canonical spelling. */
export const UNITS: Readonly<Record<string, string>> = table({
  '%': '%', percent: '%', pct: '%', percentage: '%', bp: 'bp', bps: 'bp', x: 'x', times: 'x',
  kg: 'kg', kgs: 'kg', kilo: 'kg', kilos: 'kg', kilogram: 'kg', kilograms: 'kg', g: 'g', gram: 'g', grams: 'g', mg: 'mg',
  lb: 'lb', lbs: 'lb', oz: 'oz', ounce: 'oz', ounces: 'oz', t: 'tonne', ton: 'ton', tons: 'ton', tonne: 'tonne', tonnes: 'tonne',
  km: 'km', kms: 'km', kilometre: 'km', kilometres: 'km', kilometer: 'km', kilometers: 'km', mi: 'mile', mile: 'mile',
  miles: 'mile', metre: 'metre', metres: 'metre', meter: 'metre', meters: 'metre', cm: 'cm', ft: 'ft', feet: 'ft',
  foot: 'ft', inch: 'in', inches: 'in', sqft: 'sqft', sqm: 'sqm', l: 'litre', litre: 'litre', litres: 'litre', liter: 'litre',
  liters: 'litre', ml: 'ml', gallon: 'gallon', gallons: 'gallon', kb: 'kb', mb: 'mb', gb: 'gb', tb: 'tb', kwh: 'kwh', mwh: 'mwh',
  ms: 'ms', millisecond: 'ms', milliseconds: 'ms', s: 's', sec: 's', secs: 's', second: 's', seconds: 's', min: 'min',
  mins: 'min', minute: 'min', minutes: 'min', h: 'h', hr: 'h', hrs: 'h', hour: 'h', hours: 'h', d: 'd', day: 'd', days: 'd',
  wk: 'wk', wks: 'wk', week: 'wk', weeks: 'wk', mo: 'mo', month: 'mo', months: 'mo', yr: 'yr', yrs: 'yr', year: 'yr', years: 'yr',
  am: 'am', pm: 'pm', c: 'celsius', f: 'fahrenheit', celsius: 'celsius', fahrenheit: 'fahrenheit', mph: 'mph', kph: 'kph',
  kmh: 'kph', users: 'user', user: 'user', seats: 'seat', seat: 'seat', employees: 'employee', staff: 'employee',
  tokens: 'token', token: 'token', words: 'word', word: 'word', characters: 'char', chars: 'char', pages: 'page', page: 'page',
});

/** Adjectives allowed between a number and its unit: `30 business days`. */
export const UNIT_QUALIFIERS: Readonly<Record<string, string>> = table({
  business: 'business ', working: 'business ', calendar: 'calendar ', banking: 'business ', square: 'sq ', cubic: 'cu ',
});

/** British and American spellings, to one form (before stemming). */
export const SPELLING_VARIANTS: Readonly<Record<string, string>> = table({
  colour: 'color', colours: 'colors', behaviour: 'behavior', favour: 'favor', favourite: 'favorite', honour: 'honor',
  labour: 'labor', neighbour: 'neighbor', centre: 'center', centres: 'centers', licence: 'license', defence: 'defense',
  offence: 'offense', catalogue: 'catalog', dialogue: 'dialog', programme: 'program', cancelled: 'canceled',
  cancelling: 'canceling', labelled: 'labeled', labelling: 'labeling', modelled: 'modeled', modelling: 'modeling',
  travelled: 'traveled', travelling: 'traveling', totalled: 'totaled', enrolment: 'enrollment', enrol: 'enroll',
  fulfil: 'fulfill', fulfilment: 'fulfillment', analyse: 'analyze', analysed: 'analyzed', analysing: 'analyzing',
  judgement: 'judgment', ageing: 'aging', acknowledgement: 'acknowledgment', grey: 'gray', tyre: 'tire', tyres: 'tires',
  aluminium: 'aluminum',
});

/** Capitalised words that are not names: never treated as an entity. */
export const NOT_ENTITIES: ReadonlySet<string> = new Set([
  'i', 'ok', 'okay', 'yes', 'no', 'pii', 'pdf', 'csv', 'json', 'xml', 'sql', 'api', 'faq', 'sla', 'kyc', 'aml', 'gdpr', 'ceo',
  'cfo', 'cto', 'hr', 'it', 'eu', 'uk', 'us', 'usa', 'id', 'ids', 'url', 'ai', 'llm', 'q', 'a', 'fyi', 'asap', 'eta', 'tbd',
  'note', 'notes', 'urgent', 're', 'fw', 'fwd', 'subject', 'from', 'to', 'cc', 'dear', 'hi', 'hello', 'thanks', 'regards',
  'customer', 'user', 'assistant', 'system', 'summary', 'context', 'question', 'answer', 'task', 'input', 'output',
]);
