/**
 * Generates bench/data/router-tasks.json, the router's labelled replay set:
 * `npx tsx bench/data/make-router-tasks.ts`. Deterministic (sfc32, fixed seed):
 * running it again rewrites the same file.
 *
 * THE LABELS ARE SYNTHETIC. Prompts come from templates with varied wording
 * (about one in six written to be ambiguous or to dodge the obvious keywords).
 * Whether a model's answer to an item is acceptable is not a real model's
 * judged output: it is drawn from a hidden skill per (model, task) (the
 * catalog's quality moved by up to -0.05/+0.03, so the router's prior is not
 * the truth), the item's difficulty and noise:
 *
 *   p(acceptable) = sigmoid(logit(skill) + 3 * (0.5 - difficulty))
 *
 * The set measures the routing policy against that model of the world; it
 * says nothing about how good any real model is. The templates and the
 * router's keyword lists were written by the same hand, so task inference
 * here is easier than on real traffic.
 */
import { writeFileSync } from 'node:fs';
import { CATALOG_MODELS } from '@/lib/engine/catalog';
import { TASK_TYPES, type TaskType } from '@/lib/engine/enums';
import { Random } from '@/lib/engine/random';

const SEED = 20_260_901;
const OUT = new URL('./router-tasks.json', import.meta.url);

/** Items per task type (400 in all): the easy, high-volume work dominates, as in an insurer's traffic. */
const COUNTS: Record<TaskType, number> = {
  summarize: 56,
  classify: 52,
  extract: 52,
  support_reply: 52,
  kyc_check: 36,
  claims_adjust: 40,
  underwrite: 32,
  code: 32,
  analysis: 30,
  other: 18,
};

/** Median realised reply length per task (output tokens); each item draws around it. */
const OUTPUT_MEDIAN: Record<TaskType, number> = {
  summarize: 260,
  classify: 12,
  extract: 180,
  support_reply: 200,
  kyc_check: 320,
  claims_adjust: 420,
  underwrite: 380,
  code: 650,
  analysis: 800,
  other: 180,
};

const r = new Random(SEED);

// ---------------------------------------------------------------- fillers

const FIRST = ['Maria', 'James', 'Aisha', 'Tomasz', 'Chen', 'Olivia', 'Rahul', 'Sofia', 'Kwame', 'Elena', 'Lucas', 'Yuki', 'Fatima', 'Daniel', 'Ingrid', 'Mateo', 'Hannah', 'Omar', 'Grace', 'Pieter'];
const LAST = ['Garcia', 'Okafor', 'Nowak', 'Li', 'Brennan', 'Haddad', 'Schmidt', 'Rossi', 'Patel', 'Andersson', 'Moreau', 'Tanaka', 'Mensah', 'Ivanova', 'Costa', 'Byrne', 'Kowalski', 'Dubois', 'Sato', 'Fischer'];
const CITIES = ['Leeds', 'Rotterdam', 'Lyon', 'Porto', 'Austin', 'Dublin', 'Gdansk', 'Toronto', 'Melbourne', 'Nairobi', 'Valencia', 'Hamburg', 'Denver', 'Milan'];
const COUNTRIES = ['United Kingdom', 'Netherlands', 'France', 'Portugal', 'Cyprus', 'United Arab Emirates', 'Poland', 'Canada', 'Malta', 'Kenya', 'Germany', 'Brazil'];
const COMPANIES = ['Northwind Logistics', 'Bluefin Foods', 'Arcadia Print', 'Helix Robotics', 'Juniper Dental Group', 'Stonebridge Builders', 'Quayside Hotels', 'Orbit Pharma', 'Kestrel Freight', 'Maple & Co Bakery'];
const LANGS = ['French', 'Portuguese', 'German', 'Japanese', 'Polish', 'Spanish'];

const name = () => `${r.pick(FIRST)} ${r.pick(LAST)}`;
const money = (lo: number, hi: number) => `$${r.int(lo, hi).toLocaleString('en-US')}`;
const date = (year = 2025) => `${year}-${String(r.int(1, 12)).padStart(2, '0')}-${String(r.int(1, 28)).padStart(2, '0')}`;
const digits = (n: number) => Array.from({ length: n }, () => r.int(0, 9)).join('');
const pickN = <T>(items: readonly T[], n: number): T[] => {
  const pool = [...items];
  const out: T[] = [];
  while (out.length < n && pool.length) out.push(pool.splice(r.int(0, pool.length - 1), 1)[0]!);
  return out;
};
const paragraphs = (bank: readonly string[], n: number) => pickN(bank, n).join(' ');

// ---------------------------------------------------------------- bodies

const PROJECT_LINES = [
  'The vendor confirmed the data migration will slip by a week because the test environment was not ready.',
  'Finance asked whether the second phase can be funded from the Q4 contingency rather than new budget.',
  'We agreed to freeze scope for the pilot and move the reporting module to the next release.',
  'Legal has not signed off on the data processing agreement; they expect comments back on Thursday.',
  'Two of the five regional teams have completed training; the rest are scheduled for next month.',
  'The steering group wants a cost comparison before approving the extra licences.',
  'Support volumes dropped eleven per cent after the new self-service portal went live.',
  'Procurement flagged that the current contract auto-renews on 1 December unless we give notice.',
  'The integration with the policy admin system still drops about 2% of records overnight.',
  'Security review found no critical issues; three medium findings need fixing before go-live.',
  'Headcount for the claims operations team stays flat; two contractor roles end in January.',
  'The board asked for a monthly update on inference spend per department from now on.',
  'Customer satisfaction on the new mobile app is 4.3 out of 5 after six weeks.',
  'We will run the disaster recovery test on the second weekend of the month.',
  'Marketing wants to launch the pet insurance campaign in March instead of April.',
  'The data team will deliver the first dashboard draft by the end of the sprint.',
  'Everyone agreed that the handover document needs an owner; Priya volunteered.',
  'The pilot branch processed 1,240 applications with an average turnaround of 2.1 days.',
];

function emailThread(): string {
  const people = pickN(FIRST, 3);
  const mails: string[] = [];
  for (let i = r.int(3, 6); i > 0; i--) {
    const from = r.pick(people);
    mails.push(`From: ${from} ${r.pick(LAST)}\nDate: ${date()}\n\nHi all,\n${paragraphs(PROJECT_LINES, r.int(2, 4))}\n\nThanks,\n${from}`);
  }
  return mails.join('\n\n---\n\n');
}

function meetingNotes(): string {
  const lines = pickN(PROJECT_LINES, r.int(5, 9)).map((l) => `- ${l}`);
  return `Meeting notes, ${date()} (${r.pick(['steering group', 'ops weekly', 'finance review', 'product sync'])})\nAttendees: ${pickN(FIRST, 5).join(', ')}\n\n${lines.join('\n')}\n\nActions:\n- ${name()} to circulate the revised plan\n- ${name()} to confirm budget with finance`;
}

const REPORT_LINES = [
  'Gross written premium grew 6.2% year on year, driven mainly by the commercial lines book.',
  'The combined ratio improved to 94.1% from 97.8% as large losses returned to normal levels.',
  'Claims handling costs fell after the introduction of automated first-notice triage.',
  'The reinsurance programme renewed on 1 January with a modest rate increase on the property cat layer.',
  'Investment income benefited from higher reinvestment yields on the fixed-income portfolio.',
  'Customer retention in personal auto declined slightly as competitors cut prices in the second half.',
  'The company completed the migration of its policy administration platform to the cloud.',
  'Regulatory capital coverage remained comfortably above the board risk appetite at 182%.',
  'Operating expenses rose 3% as a result of wage inflation and investment in data capabilities.',
  'Management expects reserve releases to be lower next year as older accident years mature.',
  'The cyber portfolio remained small but profitable, with no significant ransomware losses.',
  'Weather-related claims in the third quarter were above the five-year average because of hail storms.',
  'Digital sales now account for 41% of new personal lines policies.',
  'The group launched an AI assistant for brokers that answers policy wording questions.',
  'Fraud detection models flagged 1.8% of claims for review, up from 1.2% last year.',
  'The outlook for the coming year assumes stable pricing in commercial property and softer rates in motor.',
];

function report(long: boolean): string {
  const sections = long ? r.int(14, 20) : r.int(2, 4);
  const out: string[] = [];
  for (let i = 0; i < sections; i++) out.push(`${i + 1}. ${paragraphs(REPORT_LINES, r.int(3, 5))}`);
  return `${r.pick(['Annual report extract', 'Quarterly business review', 'Board pack, section 4', 'Investor update'])}\n\n${out.join('\n\n')}`;
}

const PERILS = [
  ['water damage', 'A pipe under the kitchen sink burst while the family was away for the weekend; water spread into the hallway and the floor below.'],
  ['fire', 'A fire started in the garage from a faulty extension lead and spread to the utility room before the fire service arrived.'],
  ['theft', 'The insured returned from holiday to find the back door forced; a laptop, two bicycles and jewellery were taken.'],
  ['hail', 'A hail storm damaged roof tiles, two skylights and the bonnet and roof of the car parked on the drive.'],
  ['collision', 'The insured vehicle was rear-ended at a junction; the third party admitted fault at the scene.'],
  ['storm', 'High winds brought down a fence panel and part of the garden wall, which fell onto the neighbour\'s shed.'],
] as const;

function claimFile(fraudHints = false): string {
  const [peril, story] = r.pick(PERILS);
  const estimate = r.int(1_500, 48_000);
  const lines = [
    `Claim number: CLM-${r.int(22, 25)}-${digits(5)}`,
    `Policyholder: ${name()}, ${r.pick(CITIES)}`,
    `Policy: ${r.pick(['HO-3 homeowners', 'contents only', 'comprehensive motor', 'landlord buildings', 'small business package'])}, in force since ${date(r.int(2016, 2024))}`,
    `Date of loss: ${date()}`,
    `Cause of loss: ${peril}`,
    `Description: ${story}`,
    `Repair estimate: $${estimate.toLocaleString('en-US')} (${r.pick(['approved contractor', 'insured\'s own contractor', 'body shop quote'])})`,
    `Deductible: ${money(250, 2_500)}`,
    `Coverage limit: ${money(50_000, 750_000)}`,
    `Prior claims in 5 years: ${r.int(0, 3)}`,
    `Adjuster notes: ${r.pick(['Photos consistent with the description.', 'Site visit booked for next week.', 'Damage to flooring appears older than the reported date.', 'Insured cooperative, receipts provided for most items.'])}`,
  ];
  if (fraudHints) {
    lines.push(
      `Additional notes: ${r.pick(['Policy was increased two weeks before the loss.', 'Receipts for the jewellery are from a shop that closed in 2019.', 'The insured reported a similar loss with another carrier last year.'])}`,
    );
  }
  return lines.join('\n');
}

function kycProfile(): string {
  const screening = r.pick([
    'No matches on sanctions, PEP or adverse media lists.',
    `Partial name match on the EU consolidated sanctions list (score 0.${r.int(70, 92)}); date of birth differs.`,
    'Customer\'s brother-in-law is a serving deputy minister (PEP by association).',
    'Adverse media: 2021 local news article about a tax investigation, no charges filed.',
  ]);
  const tx = Array.from({ length: r.int(3, 6) }, () => `  ${date()}  ${r.pick(['incoming wire', 'cash deposit', 'outgoing wire', 'card top-up', 'crypto exchange transfer'])}  ${money(900, 95_000)}  ${r.pick(COUNTRIES)}`);
  return [
    `Customer: ${name()}`,
    `Date of birth: ${date(r.int(1950, 2003))}`,
    `Nationality: ${r.pick(COUNTRIES)}; resident in ${r.pick(COUNTRIES)}`,
    `Identity document: passport ${r.pick(['GB', 'PT', 'CY', 'AE', 'PL'])}${digits(7)}, expires ${date(r.int(2026, 2034))}`,
    `Proof of address: ${r.pick(['utility bill dated last month', 'bank statement, 5 months old', 'none provided yet'])}`,
    `Occupation: ${r.pick(['company director (import/export)', 'software engineer', 'real estate investor', 'retired', 'owner of two car washes', 'consultant'])}`,
    `Declared source of funds: ${r.pick(['salary', 'sale of a business', 'inheritance', 'property rental income', 'cryptocurrency gains'])}`,
    `Expected monthly volume: ${money(2_000, 250_000)}`,
    `Screening: ${screening}`,
    'Recent activity:',
    ...tx,
  ].join('\n');
}

function companyOwnership(): string {
  return [
    `Company: ${r.pick(COMPANIES)} Holdings Ltd, registered in ${r.pick(COUNTRIES)}`,
    `Directors: ${name()}, ${name()}`,
    `Shareholders: ${r.int(30, 60)}% ${name()}; ${r.int(10, 30)}% Fiduciary Nominees (${r.pick(['BVI', 'Seychelles', 'Jersey'])}); remainder ${r.pick(COMPANIES)} Trust`,
    `Nature of business: ${r.pick(['commodity trading', 'holiday lettings', 'used car exports', 'software consultancy'])}`,
    `Expected turnover: ${money(400_000, 12_000_000)} per year`,
  ].join('\n');
}

function submission(kind: 'property' | 'life' | 'cyber'): string {
  if (kind === 'property') {
    return [
      `Applicant: ${r.pick(COMPANIES)}`,
      `Occupancy: ${r.pick(['warehouse with light manufacturing', 'restaurant and bar', 'office building', 'cold storage facility', 'hotel, 80 rooms'])}`,
      `Location: ${r.pick(CITIES)}, ${r.pick(['flood zone 1', 'flood zone 3', 'within 2 km of the coast', 'urban, hydrant 50 m away'])}`,
      `Construction: ${r.pick(['masonry', 'steel frame with sandwich panels', 'timber frame', 'reinforced concrete'])}, ${r.int(1, 8)} storeys, built ${r.int(1925, 2020)}`,
      `Protection: ${r.pick(['sprinklered, central station alarm', 'no sprinklers, local alarm only', 'partial sprinklers'])}`,
      `Total insured value: ${money(1_000_000, 60_000_000)}`,
      `Requested coverage limit: ${money(1_000_000, 25_000_000)}`,
      `Prior losses (5 years): ${r.pick(['none', '1 water damage claim, $38,000', '2 fire claims, $410,000 total', '3 theft claims, $22,000 total'])}`,
      `Expiring premium: ${money(8_000, 240_000)}`,
    ].join('\n');
  }
  if (kind === 'life') {
    return [
      `Applicant: ${name()}, age ${r.int(24, 68)}`,
      `Sum insured requested: ${money(100_000, 3_000_000)}, term ${r.pick([10, 15, 20, 25])} years`,
      `Smoker: ${r.pick(['no', 'yes, 10 a day', 'quit 3 years ago'])}`,
      `BMI: ${r.int(19, 38)}`,
      `Medical history: ${r.pick(['type 2 diabetes, well controlled', 'none declared', 'hypertension on medication', 'treated for melanoma in 2017, clear since'])}`,
      `Occupation: ${r.pick(['teacher', 'offshore electrician', 'commercial pilot', 'accountant', 'scaffolder'])}`,
      `Hobbies: ${r.pick(['scuba diving to 30 m', 'none of note', 'amateur motor racing', 'hiking'])}`,
    ].join('\n');
  }
  return [
    `Applicant: ${r.pick(COMPANIES)}, ${r.int(40, 2_500)} employees`,
    `Annual revenue: ${money(3_000_000, 400_000_000)}`,
    `Security controls: ${r.pick(['MFA everywhere, EDR on all endpoints, offline backups', 'MFA on email only, no EDR', 'outsourced IT, backups untested'])}`,
    `Records held: ${r.int(5, 900)}k customer records including payment data`,
    `Prior incidents: ${r.pick(['none', 'phishing loss of $60,000 in 2023', 'ransomware in 2022, paid, systems restored in 9 days'])}`,
    `Requested limit: ${money(1_000_000, 10_000_000)}`,
  ].join('\n');
}

const COMPLAINTS = [
  'I cancelled my order on Monday and I still have not had my refund. This is the third time I have written to you.',
  'Your app charged my card twice for the same renewal. I want one payment returned immediately.',
  'I have been locked out of my account since the update and the password reset email never arrives.',
  'My renewal price went up by 38% with no claims. Can someone explain why before I switch providers?',
  'The delivery was supposed to arrive last Friday. Tracking has not moved in six days.',
  'I submitted my claim three weeks ago and nobody has called me back. What is happening?',
  'I want to add my daughter as a named driver from next month. How do I do that?',
  'The subscription says it renews annually but I was billed monthly. Please fix this.',
];

function customerMessage(): string {
  return `From: ${name()} <${r.pick(FIRST).toLowerCase()}${r.int(10, 99)}@example.com>\nSubject: ${r.pick(['Still waiting', 'Problem with my account', 'Complaint', 'Question', 'Urgent'])}\n\n${paragraphs(COMPLAINTS, r.int(1, 2))}\n\n${r.pick(['Regards', 'Thanks', 'Very disappointed', 'Cheers'])},\n${r.pick(FIRST)}`;
}

const TICKETS = [
  'I was charged for a plan I downgraded from last month.',
  'The export button does nothing in Safari.',
  'How do I change the email address on my account?',
  'Your website says my policy is inactive but I paid.',
  'Please close my account and delete my data.',
  'The PDF of my certificate is blank.',
  'Can I pay my premium quarterly instead of annually?',
  'Error 502 when uploading documents over 10 MB.',
];

const REVIEWS = [
  'Quick payout after my burst pipe, really impressed with the adjuster.',
  'The app keeps logging me out. Awful experience.',
  'Price was fine, nothing special about the service.',
  'Took four calls to get a simple answer. Never again.',
  'Friendly staff and the renewal was painless.',
  'Website is okay, but the chat bot could not understand me at all.',
];

const CODE_SNIPPETS = [
  {
    lang: 'ts',
    code: 'export function total(items: { price: number }[]) {\n  return items.map((i) => i.price).reduce((a, b) => a + b);\n}',
    error: 'TypeError: Reduce of empty array with no initial value\n    at Array.reduce (<anonymous>)\n    at total (src/cart.ts:2:38)',
  },
  {
    lang: 'python',
    code: 'def load_users(ids):\n    users = []\n    for i in ids:\n        users.append(db.query(User).get(i))\n    return users',
    error: 'Traceback (most recent call last):\n  File "api.py", line 41, in handler\n    users = load_users(ids)\nsqlalchemy.exc.TimeoutError: QueuePool limit of size 5 overflow 10 reached',
  },
  {
    lang: 'sql',
    code: 'SELECT c.id, c.name, SUM(p.amount)\nFROM customers c\nJOIN payments p ON p.customer_id = c.id\nJOIN policies pol ON pol.customer_id = c.id\nGROUP BY c.id, c.name;',
    error: 'The totals are about three times higher than the finance report for customers with several policies.',
  },
  {
    lang: 'js',
    code: 'app.get("/claims/:id", async (req, res) => {\n  const claim = await Claims.findById(req.params.id);\n  res.json({ id: claim.id, status: claim.status });\n});',
    error: 'TypeError: Cannot read properties of null (reading \'id\')\n    at /srv/app/routes/claims.js:3:27',
  },
  {
    lang: 'go',
    code: 'func worker(jobs <-chan Job, results chan<- Result) {\n\tfor j := range jobs {\n\t\tgo func() { results <- process(j) }()\n\t}\n}',
    error: 'fatal error: all goroutines are asleep - deadlock!',
  },
  {
    lang: 'python',
    code: 'import pandas as pd\ndf = pd.read_csv("ledger.csv")\ndf["cost"] = df["cost"].astype(float)\nprint(df.groupby("dept").cost.sum())',
    error: 'ValueError: could not convert string to float: \'1,204.50\'',
  },
];

function metricsTable(): string {
  const regions = pickN(['North', 'South', 'East', 'West', 'Central', 'Coastal'], 4);
  const metric = r.pick(['claim frequency per 1,000 policies', 'loss ratio %', 'average handling time (days)', 'inference spend ($k)', 'churn %']);
  const rows = regions.map((reg) => `${reg},${(r.next() * 40 + 5).toFixed(1)},${(r.next() * 40 + 5).toFixed(1)},${(r.next() * 40 + 5).toFixed(1)},${(r.next() * 40 + 5).toFixed(1)}`);
  return `Metric: ${metric}\nregion,Q1,Q2,Q3,Q4\n${rows.join('\n')}`;
}

function invoice(): string {
  const lines = Array.from({ length: r.int(2, 5) }, () => `  ${r.pick(['Consulting hours', 'Licence renewal', 'Hardware', 'Support plan', 'Training day'])}  x${r.int(1, 40)}  ${money(50, 9_000)}`);
  return `INVOICE #${digits(5)}\n${r.pick(COMPANIES)}\n${r.int(1, 200)} ${r.pick(['High Street', 'Harbour Road', 'Mill Lane'])}, ${r.pick(CITIES)}\nIssued: ${date()}   Due: ${date()}\n\n${lines.join('\n')}\n\nTotal due: ${money(500, 60_000)}\nVAT reg: ${digits(9)}\nPayment to IBAN GB${digits(2)} BANK ${digits(14)}`;
}

function contractClause(): string {
  return `${r.int(3, 14)}.${r.int(1, 9)} The Supplier shall deliver the Services from ${date()} until ${date(2026)}. The Customer shall pay ${money(10_000, 400_000)} per annum, invoiced quarterly in advance, with payment due within ${r.pick([14, 30, 45, 60])} days. Either party may terminate on ${r.pick([30, 60, 90])} days' written notice. Liability is capped at ${money(100_000, 2_000_000)} except for breaches of confidentiality. Renewal: automatic for successive ${r.pick([12, 24])}-month terms.`;
}

// ---------------------------------------------------------------- templates

interface Draft {
  system?: string;
  user: string;
  /** Added to the item's difficulty. */
  harder?: number;
}

type Template = () => Draft;

const SYS = {
  claims: 'You are an assistant for the claims department of Acme Mutual, a property and casualty insurer.',
  kyc: 'You are a financial-crime compliance assistant at a regulated bank. Follow the firm\'s AML and sanctions policy.',
  underwriting: 'You are a senior commercial underwriter. Be concise and state assumptions.',
  support: 'You are a friendly customer support agent for Acme Mutual. Keep answers short.',
  generic: 'You are a helpful assistant.',
  eng: 'You are a senior software engineer who reviews code carefully.',
};

const TEMPLATES: Record<TaskType, Template[]> = {
  summarize: [
    () => ({ user: `Summarize the following email thread in ${r.int(3, 6)} bullet points.\n\n${emailThread()}` }),
    () => ({ user: `TL;DR please:\n\n${emailThread()}` }),
    () => ({ user: `Can you condense these notes into one paragraph for the exec team?\n\n${meetingNotes()}` }),
    () => ({ user: `${meetingNotes()}\n\nWrite a short recap of the meeting above.` }),
    () => ({ system: SYS.generic, user: `What are the key points of this report?\n\n${report(false)}` }),
    () => ({ user: `Boil this down to three sentences for someone who hasn't read it:\n\n${report(r.chance(0.4))}`, harder: 0.1 }),
    () => ({ user: `Give me an executive summary of this document, max 150 words.\n\n${report(true)}`, harder: 0.15 }),
    () => ({ system: SYS.claims, user: `Summarise this claim file for the handover to the new adjuster.\n\n${claimFile()}` }),
    // Ambiguous: no summarising verb.
    () => ({ user: `I don't have time to read all of this. What do I need to know?\n\n${emailThread()}`, harder: 0.1 }),
    () => ({ system: SYS.kyc, user: `Prepare a one-paragraph synopsis of this customer file for the onboarding committee.\n\n${kycProfile()}`, harder: 0.05 }),
  ],
  classify: [
    () => ({ user: `Classify this support ticket into one of: billing, technical, account, other. Reply with the label only.\n\nTicket: ${r.pick(TICKETS)}` }),
    () => ({ user: `What is the sentiment of this review? positive / neutral / negative\n\n"${r.pick(REVIEWS)}"` }),
    () => ({ system: SYS.support, user: `Tag this email with the right team: claims, underwriting, billing or HR.\n\n${customerMessage()}` }),
    () => ({ user: `Is this message spam? Answer yes or no.\n\n"${r.pick(['Congratulations! You have won a $500 gift card, click here', 'Hi, attached is the signed form you asked for', 'URGENT your account will be suspended, verify now', 'Lunch on Thursday still ok?'])}"` }),
    () => ({ user: `Categorise this expense line into travel, software, hardware, meals or other: "${r.pick(['Uber to client site', 'Figma annual plan', 'USB-C docks x4', 'Team dinner after launch', 'Parking fine'])}"` }),
    () => ({ user: `Which bucket does this feedback go in: bug, feature request, praise, complaint?\n\n"${r.pick(REVIEWS)}"` }),
    () => ({ user: `Label the intent of this chat message (new_quote, renew, cancel, claim_status, complaint): "${r.pick(COMPLAINTS)}"` }),
    () => ({ system: SYS.claims, user: `Categorise this claim by peril: water, fire, theft, wind/hail, collision, other.\n\n${claimFile()}` }),
    // Ambiguous: no classifying verb.
    () => ({ user: `Urgent, normal or low? One word only.\n\n${r.pick(TICKETS)}`, harder: 0.05 }),
    () => ({ user: `Is this review about price, service or the app?\n\n"${r.pick(REVIEWS)}"`, harder: 0.05 }),
  ],
  extract: [
    () => ({ user: `Extract the invoice number, vendor, total and due date from this invoice as JSON.\n\n${invoice()}` }),
    () => ({ user: `Pull out all the dates and amounts in this contract clause as a list.\n\n${contractClause()}` }),
    () => ({ user: `Fill in these fields from the email below: name, email, subject, main issue.\n\n${customerMessage()}` }),
    () => ({ user: `Parse this address into street, city, postcode and country:\n${r.int(1, 300)} ${r.pick(['Harbour Road', 'Mill Lane', 'Rue de la Paix', 'Rua Augusta'])}, ${r.pick(CITIES)} ${digits(4)}, ${r.pick(COUNTRIES)}` }),
    () => ({ system: SYS.generic, user: `Return a JSON object with keys party_a, party_b, term_start, term_end, annual_fee, notice_days from the text below.\n\n${contractClause()}` }),
    () => ({ user: `List every person and organisation mentioned in these notes (named entities), one per line.\n\n${meetingNotes()}` }),
    () => ({ user: `Give me the line items from this invoice as CSV: description, quantity, amount.\n\n${invoice()}` }),
    () => ({ system: SYS.claims, user: `Extract claim number, date of loss, cause, repair estimate and deductible from this file into structured fields.\n\n${claimFile()}` }),
    // Ambiguous: domain nouns, no extraction verb.
    () => ({ system: SYS.claims, user: `What's the claim number, the policyholder's name and the date of loss in this file?\n\n${claimFile()}`, harder: 0.05 }),
    () => ({ user: `Passport number, nationality and expiry date from this OCR text, please.\n\n${kycProfile()}`, harder: 0.05 }),
  ],
  kyc_check: [
    () => ({ system: SYS.kyc, user: `Run a KYC check on this new customer and tell me whether we can onboard them, with reasons.\n\n${kycProfile()}` }),
    () => ({ system: SYS.kyc, user: `Screen this individual against sanctions and PEP lists and assess the AML risk.\n\n${kycProfile()}` }),
    () => ({ user: `Verify that the identity documents below are consistent and flag anything suspicious.\n\n${kycProfile()}` }),
    () => ({ system: SYS.kyc, user: `Review the source of funds for this account opening. Is enhanced due diligence needed?\n\n${kycProfile()}` }),
    () => ({ user: `Assess whether the beneficial owners of this company raise any money laundering concerns.\n\n${companyOwnership()}`, harder: 0.1 }),
    () => ({ system: SYS.kyc, user: `These transactions were flagged by monitoring. Are they suspicious under our AML policy? Explain.\n\n${kycProfile()}`, harder: 0.05 }),
    // Ambiguous.
    () => ({ user: `Does anything about this new client worry you from a compliance standpoint?\n\n${kycProfile()}`, harder: 0.1 }),
    () => ({ user: `Classify this wire transfer as suspicious or not suspicious for AML purposes, and say why.\n\n${kycProfile()}`, harder: 0.05 }),
    () => ({ system: SYS.generic, user: `Can we open an account for this company? Look at who really owns it.\n\n${companyOwnership()}`, harder: 0.15 }),
  ],
  claims_adjust: [
    () => ({ system: SYS.claims, user: `Assess this claim and recommend a payout amount net of the deductible.\n\n${claimFile()}` }),
    () => ({ system: SYS.claims, user: `As the adjuster, decide whether this loss is covered under the policy and explain.\n\n${claimFile()}` }),
    () => ({ user: `Should we approve or deny this claim? Give the coverage decision and the settlement amount.\n\n${claimFile()}` }),
    () => ({ system: SYS.claims, user: `Estimate the reserve for this claim and note any subrogation potential.\n\n${claimFile()}`, harder: 0.1 }),
    () => ({ user: `Review the repair estimate against the damage described and tell me what we should pay.\n\n${claimFile()}` }),
    () => ({ system: SYS.claims, user: `Is this a total loss? Work out the settlement given the repair estimate, the limit and the deductible.\n\n${claimFile()}`, harder: 0.05 }),
    // Ambiguous.
    () => ({ system: SYS.claims, user: `How much do we owe this customer?\n\n${claimFile()}`, harder: 0.05 }),
    () => ({ user: `Something feels off about this one. Take a look and tell me what you'd do.\n\n${claimFile(true)}`, harder: 0.2 }),
  ],
  underwrite: [
    () => ({ system: SYS.underwriting, user: `Underwrite this commercial property submission and suggest a premium.\n\n${submission('property')}` }),
    () => ({ user: `Give this applicant a risk score from 1 to 10 with your reasoning.\n\n${submission(r.pick(['property', 'life', 'cyber'] as const))}` }),
    () => ({ system: SYS.underwriting, user: `Is this risk within our appetite? Accept or decline, with conditions.\n\n${submission('cyber')}`, harder: 0.05 }),
    () => ({ system: SYS.underwriting, user: `Price this risk: recommend a rate per $100 of TIV and any exclusions.\n\n${submission('property')}`, harder: 0.1 }),
    () => ({ user: `Assign a risk class for this life insurance applicant given the medical history.\n\n${submission('life')}` }),
    () => ({ system: SYS.underwriting, user: `Review the prior losses and decide whether to renew at the expiring premium.\n\n${submission('property')}` }),
    // Ambiguous.
    () => ({ user: `Would you write this one? If so, at what price?\n\n${submission(r.pick(['property', 'cyber'] as const))}`, harder: 0.1 }),
  ],
  support_reply: [
    () => ({ system: SYS.support, user: `Write a reply to this customer. Be polite and apologise for the delay.\n\n${customerMessage()}` }),
    () => ({ user: `Draft a response to the ticket below on behalf of the support team.\n\n${customerMessage()}` }),
    () => ({ system: SYS.support, user: `The customer below is frustrated. Respond with empathy and explain the next steps.\n\n${customerMessage()}` }),
    () => ({ user: `Help me answer this email from a policyholder about their renewal price.\n\n${customerMessage()}` }),
    () => ({ system: SYS.support, user: `Write back to this customer explaining how to reset their password in three steps.\n\n${customerMessage()}` }),
    () => ({ user: `${customerMessage()}\n\nDraft a short, friendly reply to the email above.` }),
    // Ambiguous.
    () => ({ user: `Can you get back to her? She's been waiting a week.\n\n${customerMessage()}`, harder: 0.05 }),
    () => ({ system: SYS.claims, user: `The customer asks about the status of claim CLM-${r.int(22, 25)}-${digits(5)}. Let them know the adjuster will call within two business days.`, harder: 0.05 }),
  ],
  code: [
    () => {
      const s = r.pick(CODE_SNIPPETS);
      return { system: SYS.eng, user: `Why does this throw?\n\n\`\`\`${s.lang}\n${s.code}\n\`\`\`\n\n${s.error}` };
    },
    () => {
      const s = r.pick(CODE_SNIPPETS);
      return { user: `Refactor this to be more readable and handle the edge cases:\n\n\`\`\`${s.lang}\n${s.code}\n\`\`\`` };
    },
    () => {
      const s = r.pick(CODE_SNIPPETS);
      return { user: `Write unit tests for this function.\n\n\`\`\`${s.lang}\n${s.code}\n\`\`\`` };
    },
    () => ({ user: `Fix the bug in this SQL query: ${CODE_SNIPPETS[2]!.error}\n\n${CODE_SNIPPETS[2]!.code}` }),
    () => {
      const s = r.pick(CODE_SNIPPETS);
      return { user: `Here is a stack trace from production. What is the root cause and the fix?\n\n${s.error}\n\nCode:\n${s.code}`, harder: 0.05 };
    },
    () => ({ user: `Write a regex that matches ${r.pick(['UK postcodes', 'ISO 8601 dates', 'IBANs', 'policy numbers like POL-2024-000123'])}, with a few test cases.` }),
    () => ({ system: SYS.eng, user: `Convert this JavaScript to TypeScript with proper types.\n\n${CODE_SNIPPETS[3]!.code}` }),
    // Ambiguous: no fence, no keyword.
    () => {
      const s = r.pick(CODE_SNIPPETS.filter((c) => c.lang !== 'sql'));
      return { user: `This worked yesterday and now it doesn't:\n\n${s.code}\n\n${s.error}`, harder: 0.1 };
    },
  ],
  analysis: [
    () => ({ user: `Compare the quarters below by region and explain what drove the change.\n\n${metricsTable()}` }),
    () => ({ user: `Analyse the trade-offs between ${r.pick(['self-hosting Llama', 'a reserved-capacity contract', 'building in-house'])} and ${r.pick(['paying per token for GPT-5', 'a managed vendor', 'outsourcing'])} for a team spending ${money(20_000, 400_000)} a month.` }),
    () => ({ user: `Why did the numbers move in the region with the largest change? Reason through the data step by step.\n\n${metricsTable()}`, harder: 0.05 }),
    () => ({ system: SYS.generic, user: `Evaluate these three vendor proposals and recommend one:\nA) ${money(90_000, 200_000)}/yr, 99.9% SLA, 6-week onboarding\nB) ${money(60_000, 150_000)}/yr, 99.5% SLA, 2-week onboarding\nC) ${money(120_000, 260_000)}/yr, 99.99% SLA, includes data residency` }),
    () => ({ user: `What would happen to our loss ratio if we raised deductibles by 20%? Think through the scenarios.\n\n${metricsTable()}`, harder: 0.1 }),
    () => ({ user: `Give me a deep dive on the trend in this table and the likely causes.\n\n${metricsTable()}` }),
    () => ({ user: `Read this report and assess the main strategic risks for next year, with implications for pricing.\n\n${report(true)}`, harder: 0.15 }),
    // Ambiguous.
    () => ({ user: `Our churn went up 3 points last quarter. What's going on?\n\n${metricsTable()}`, harder: 0.05 }),
    () => ({ user: `Look at these numbers and tell me what you think.\n\n${metricsTable()}`, harder: 0.1 }),
  ],
  other: [
    () => ({ user: `Write a haiku about ${r.pick(['autumn leaves', 'a quiet office', 'the first coffee', 'quarter end'])}.` }),
    () => ({ user: `Translate into ${r.pick(LANGS)}: "${r.pick(['Thank you for your patience.', 'The meeting is moved to Tuesday.', 'Welcome to the team!'])}"` }),
    () => ({ user: `Brainstorm ten names for our internal ${r.pick(['hackathon', 'newsletter', 'book club', 'cost dashboard'])}.` }),
    () => ({ system: SYS.generic, user: 'What is a good icebreaker for a team offsite with 20 people?' }),
    () => ({ user: `Rewrite this sentence to sound more formal: "${r.pick(['we gotta ship this by friday', 'the numbers look kinda off', 'can u send me the thing'])}"` }),
    () => ({ user: `Tell me a fun fact about ${r.pick(['octopuses', 'the history of insurance', 'Lisbon', 'prime numbers'])}.` }),
  ],
};

// ---------------------------------------------------------------- truth

const logit = (p: number) => Math.log(p / (1 - p));
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const DIFFICULTY_SLOPE = 3;

/** Hidden skill per model and task: the catalog's figure moved by up to -0.05/+0.03. */
const hiddenSkill: Record<string, Record<TaskType, number>> = {};
for (const m of CATALOG_MODELS) {
  const skills = {} as Record<TaskType, number>;
  for (const task of TASK_TYPES) {
    const base = m.quality[task] ?? 0.5;
    skills[task] = Math.round(Math.min(0.99, Math.max(0.05, base - 0.05 + r.next() * 0.08)) * 1000) / 1000;
  }
  hiddenSkill[m.id] = skills;
}

interface Item {
  id: string;
  messages: { role: 'system' | 'user'; content: string }[];
  task: TaskType;
  difficulty: number;
  expectedOutputTokens: number;
  acceptable: Record<string, boolean>;
}

const items: Omit<Item, 'id'>[] = [];
for (const task of TASK_TYPES) {
  const templates = TEMPLATES[task];
  let round: Template[] = [];
  for (let i = 0; i < COUNTS[task]; i++) {
    // Every template once per round, in a fresh order each round.
    if (round.length === 0) round = pickN(templates, templates.length);
    const draft = round.pop()!();
    const difficulty = Math.round(Math.min(1, Math.max(0, (r.next() + r.next()) / 2 + (draft.harder ?? 0))) * 1000) / 1000;
    const acceptable: Record<string, boolean> = {};
    for (const m of CATALOG_MODELS) {
      const p = sigmoid(logit(hiddenSkill[m.id]![task]) + DIFFICULTY_SLOPE * (0.5 - difficulty));
      acceptable[m.id] = r.next() < p;
    }
    const messages: Item['messages'] = [];
    if (draft.system) messages.push({ role: 'system', content: draft.system });
    messages.push({ role: 'user', content: draft.user });
    items.push({ messages, task, difficulty, expectedOutputTokens: Math.max(1, Math.round(r.logNormal(OUTPUT_MEDIAN[task], 0.4))), acceptable });
  }
}

// Interleave the tasks, as traffic arrives.
for (let i = items.length - 1; i > 0; i--) {
  const j = r.int(0, i);
  [items[i], items[j]] = [items[j]!, items[i]!];
}

const file = {
  about:
    'Tollgate router replay set. SYNTHETIC LABELS: prompts are generated from templates and `acceptable` is drawn from a hidden per-model, per-task skill (hiddenSkill), the item difficulty and noise, not from real model outputs. Regenerate with `npx tsx bench/data/make-router-tasks.ts`.',
  seed: SEED,
  acceptanceModel: 'p(acceptable) = sigmoid(logit(hiddenSkill[model][task]) + 3 * (0.5 - difficulty))',
  hiddenSkill,
  items: items.map((item, i) => ({ id: `rt-${String(i + 1).padStart(4, '0')}`, ...item })),
};

writeFileSync(OUT, `${JSON.stringify(file, null, 1)}\n`);
console.log(`wrote ${file.items.length} items to ${OUT.pathname}`);
