/**
 * What the demo's agents ask for. Each scenario is one piece of agent work:
 * one call or a short workflow of calls in one session. The mix is what an
 * insurer-bank's agents do all day: routine summaries and classifications,
 * KYC document checks and claims adjustments, the odd failed upstream that
 * is retried, and now and then a runaway loop.
 */
import type { Random } from '@/lib/engine/random';

export interface ScenarioCall {
  system?: string;
  user: string;
  /** Sent as x-tollgate-task; omitted to let the router infer it. */
  task?: string;
  model?: string;
  maxTokens?: number;
  stream?: boolean;
}

export interface Scenario {
  name: string;
  /** Calls made one after another in one session and workflow run. */
  calls: ScenarioCall[];
  /** Repeat the last call this many more times quickly (a runaway loop). */
  loop?: number;
  /** Report feedback on the last call: the demo's humans reviewing answers. */
  feedback?: 'good' | 'wrong' | 'corrected';
}

const CUSTOMERS = ['Ada Okoye', 'Lars Becker', 'Priya Raman', 'Tomás Ferreira', 'Mei Chen', 'Jonas Berg', 'Amara Diallo', 'Sofia Rossi'];
const VEHICLES = ['2019 Volvo XC60', '2021 Tesla Model 3', '2016 Ford Focus', '2022 Kia Niro', '2018 BMW 320d'];
const DAMAGE = ['rear bumper and tailgate', 'front wing and headlamp', 'windscreen', 'driver-side doors', 'roof hail damage'];
const TICKETS = [
  'I was charged twice for my card replacement fee this month.',
  'My direct debit for the home policy failed and I got a letter.',
  'How do I add my partner as a named driver?',
  'The app logs me out every time I open statements.',
  'I want to dispute a transaction at a petrol station I never visited.',
  'Can you send my no-claims discount certificate?',
];
const INCIDENTS = [
  'p99 latency on the quotes API rose from 180 ms to 2.4 s after the 14:05 deploy; rollback at 14:31 restored it.',
  'The nightly claims export job failed three times with a connection reset from the document store.',
  'A certificate expiry on the broker portal caused 502s for 22 minutes until the cert was rotated.',
];
const LABELS = ['billing', 'policy change', 'technical', 'fraud', 'documents'];

const ref = (rng: Random, prefix: string) => `${prefix}-${rng.int(10_000, 99_999)}`;

/** Routine work with a small pool of wordings, so identical and near-identical requests recur (the cache's job). */
function summarizeTicket(rng: Random): Scenario {
  const ticket = rng.pick(TICKETS);
  return {
    name: 'support summary',
    calls: [{ system: 'You are a contact-centre assistant. Be brief.', user: `Summarise this customer message in one sentence: "${ticket}"` }],
    feedback: rng.chance(0.05) ? 'good' : undefined,
  };
}

function classifyEmail(rng: Random): Scenario {
  const ticket = rng.pick(TICKETS);
  return {
    name: 'email classification',
    calls: [{ system: `Classify customer emails into one of: ${LABELS.join(', ')}.`, user: `Classify this email: ${ticket}`, task: rng.chance(0.5) ? 'classify' : undefined, maxTokens: 16 }],
  };
}

function extractInvoice(rng: Random): Scenario {
  const amount = (rng.int(12_000, 980_000) / 100).toFixed(2);
  return {
    name: 'invoice extraction',
    calls: [
      {
        system: 'Extract invoice fields as JSON with keys supplier, invoice_number, date, total, currency.',
        user: `Extract the fields from: "Invoice ${ref(rng, 'INV')} from Harbour Office Supplies Ltd, dated 2026-11-${String(rng.int(1, 27)).padStart(2, '0')}, total EUR ${amount}, due in 30 days."`,
        task: 'extract',
        maxTokens: 200,
      },
    ],
  };
}

function incidentSummary(rng: Random): Scenario {
  return {
    name: 'incident summary',
    calls: [{ user: `Write a short incident summary for the status page: ${rng.pick(INCIDENTS)}`, stream: rng.chance(0.5) }],
  };
}

function kycCheck(rng: Random): Scenario {
  const customer = rng.pick(CUSTOMERS);
  const passport = `P${rng.int(1_000_000, 9_999_999)}`;
  return {
    name: 'KYC document check',
    calls: [
      {
        system: 'You are a KYC analyst. Follow the bank\'s customer due diligence policy.',
        user: `Verify the identity documents for new customer ${customer}: passport ${passport}, expiry 2031-04-30, proof of address a utility bill dated 2026-10-02. Check the name matches, the documents are in date, and screen the name against the sanctions and PEP lists. Give a decision: pass, refer or fail, with reasons.`,
        task: 'kyc_check',
        maxTokens: 600,
      },
      { user: `Summarise the KYC decision for ${customer} for the case file in two sentences.`, task: 'summarize', maxTokens: 120 },
    ],
    feedback: rng.chance(0.08) ? rng.pick(['good', 'corrected'] as const) : undefined,
  };
}

function claimsAdjustment(rng: Random): Scenario {
  const claim = ref(rng, 'CLM');
  const estimate = rng.int(900, 14_000);
  return {
    name: 'claims adjustment',
    calls: [
      { user: `Classify the urgency of motor claim ${claim}: ${rng.pick(VEHICLES)}, ${rng.pick(DAMAGE)}, no injuries reported.`, task: 'classify', maxTokens: 20 },
      {
        system: 'You are a senior motor claims adjuster. Apply the policy wording strictly.',
        user: `Adjust claim ${claim}: repair estimate £${estimate}, policy excess £250, comprehensive cover, courtesy car requested for 9 days (policy limit 7). Work out the settlement, list deductions, and flag anything that needs a human.`,
        task: 'claims_adjust',
        maxTokens: 700,
        stream: rng.chance(0.3),
      },
    ],
    feedback: rng.chance(0.08) ? rng.pick(['good', 'wrong'] as const) : undefined,
  };
}

function underwriting(rng: Random): Scenario {
  return {
    name: 'SME underwriting',
    calls: [
      {
        system: 'You are an SME property underwriter.',
        user: `Assess the risk and suggest a premium band for a ${rng.pick(['bakery', 'joinery workshop', 'dental practice', 'bike shop'])} with ${rng.int(3, 40)} staff, sprinklers ${rng.chance(0.5) ? 'fitted' : 'not fitted'}, two theft claims in five years.`,
        task: 'underwrite',
        maxTokens: 500,
      },
    ],
  };
}

/**
 * An upstream fails (simulated 503): usually only the first choice, so the
 * gateway falls back down its chain and answers; now and then every model,
 * so the caller gets a 502 and the ledger shows each failed attempt.
 */
function failingUpstream(rng: Random): Scenario {
  const marker = rng.chance(0.85) ? '[simulate:error 503 llama-3.3-70b,gpt-5-nano]' : '[simulate:error 503]';
  return {
    name: 'upstream failure and fallback',
    calls: [{ user: `Summarise the attached broker note for ${rng.pick(CUSTOMERS)}. ${marker}`, task: 'summarize' }],
  };
}

/** The agent re-asks the same question (a client-side retry): a weak signal the first answer was not good enough. */
function clientRetry(rng: Random): Scenario {
  const ticket = rng.pick(TICKETS);
  const call: ScenarioCall = { user: `Draft a reply to this customer: ${ticket}`, task: 'support_reply', maxTokens: 250 };
  return { name: 'client retry', calls: [call, call] };
}

/** A runaway agent: the same step over and over in one session. */
function runawayLoop(rng: Random): Scenario {
  return {
    name: 'runaway loop',
    calls: [{ user: `Check again whether claim ${ref(rng, 'CLM')} has new documents and re-plan the next step.`, task: 'claims_adjust', maxTokens: 300 }],
    loop: rng.int(8, 15),
  };
}

const BY_AGENT: Record<string, readonly (readonly [(rng: Random) => Scenario, number])[]> = {
  'claims-triage-bot': [[claimsAdjustment, 5], [summarizeTicket, 1], [failingUpstream, 0.3], [runawayLoop, 0.08]],
  'property-adjuster-agent': [[claimsAdjustment, 4], [clientRetry, 0.5], [runawayLoop, 0.05]],
  'kyc-onboarding-agent': [[kycCheck, 5], [failingUpstream, 0.2]],
  'support-chat-assist': [[summarizeTicket, 4], [clientRetry, 1], [classifyEmail, 1]],
  'email-triage-bot': [[classifyEmail, 5], [summarizeTicket, 1]],
  'invoice-extractor': [[extractInvoice, 5]],
  'sme-underwriting-agent': [[underwriting, 4], [summarizeTicket, 0.5]],
  'incident-summariser': [[incidentSummary, 4], [failingUpstream, 0.3]],
};

export function nextScenario(agent: string, rng: Random): Scenario {
  const mix = BY_AGENT[agent] ?? [[summarizeTicket, 1]];
  return rng.weighted(mix)(rng);
}
