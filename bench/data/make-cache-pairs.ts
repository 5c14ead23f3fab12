/**
 * `npx tsx bench/data/make-cache-pairs.ts` writes bench/data/cache-pairs.json:
 * labelled prompt pairs for the semantic cache benchmark, generated from the
 * templates below with a seeded PRNG (the same seed always gives the same
 * file). Every pair is two prompts an enterprise agent might send:
 *
 * - same (`same: true`): `paraphrase` (another wording), `reorder` (clauses
 *   moved), `typo` (one or two keyboard slips), `case` (lower, upper, title
 *   case, no final punctuation);
 * - different (`same: false`), adversarial near-duplicates: `number`, `id`,
 *   `date`, `negation`, `entity`, `unit`, `currency`, `antonym`, `topic`
 *   (another question sharing most words, or the same instruction on
 *   another input).
 *
 * The wordings were written by hand to read like real requests. The same
 * person wrote the cache's word lists and tuned them on these templates, so
 * their rates flatter the cache; the hand-written HOLDOUT pairs (split
 * `holdout`), written afterwards and not tuned on, are the fairer estimate.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Random } from '@/lib/engine/random';

export const SAME_KINDS = ['paraphrase', 'reorder', 'typo', 'case'] as const;
export const DIFFERENT_KINDS = ['number', 'id', 'date', 'negation', 'entity', 'unit', 'currency', 'antonym', 'topic'] as const;
export type PairKind = (typeof SAME_KINDS)[number] | (typeof DIFFERENT_KINDS)[number];

export interface CachePair {
  id: string;
  a: string;
  b: string;
  same: boolean;
  kind: PairKind;
  /** Set on the hand-written held-out pairs. */
  split?: 'holdout';
}

interface Template {
  /** Wordings of one request; any two are a paraphrase pair. */
  forms: string[];
  /** The request with its clauses moved. */
  reorder?: string[];
  /** [request, the same request negated or with the negation removed]. */
  negation?: [string, string][];
  /** [request, the request with a word replaced by its opposite]. */
  antonym?: [string, string][];
  /** [request, a different request sharing most words or the same instruction on another input]. */
  topic?: [string, string][];
}

const TEMPLATES: Template[] = [
  {
    forms: [
      'Summarise the adjuster notes for claim {claim} in {n} bullet points.',
      'Give me a summary of the adjuster notes on claim {claim} in {n} bullet points.',
      "Can you sum up the adjuster's notes for claim {claim} as {nw} bullet points?",
      "Please summarize claim {claim}'s adjuster notes in {n} bullets.",
      'Summarize the notes from the adjuster on claim {claim}, {n} bullet points please.',
    ],
    reorder: ['For claim {claim}, summarise the adjuster notes in {n} bullet points.', 'In {n} bullet points, summarise the adjuster notes for claim {claim}.'],
    negation: [['Summarise the adjuster notes for claim {claim} in {n} bullet points and include the medical details.', 'Summarise the adjuster notes for claim {claim} in {n} bullet points and do not include the medical details.']],
    antonym: [['Summarise the adjuster notes for claim {claim} in {n} bullet points, newest first.', 'Summarise the adjuster notes for claim {claim} in {n} bullet points, oldest first.']],
    topic: [
      ['Summarise the adjuster notes for claim {claim} in {n} bullet points.', 'Summarise the police report for claim {claim} in {n} bullet points.'],
      ['Summarise the adjuster notes for claim {claim} in {n} bullet points.', 'Summarise the adjuster notes for claim {claim} in {n} bullet points for the customer.'],
    ],
  },
  {
    forms: [
      'Is water damage from a burst pipe covered under policy {policy}?',
      'Does policy {policy} cover water damage caused by a burst pipe?',
      'Check whether policy {policy} covers water damage from a burst pipe.',
      'Would a burst pipe causing water damage be covered by policy {policy}?',
    ],
    reorder: ['Under policy {policy}, is water damage from a burst pipe covered?'],
    negation: [
      ['Is water damage from a burst pipe covered under policy {policy}?', 'Is water damage from a burst pipe not covered under policy {policy}?'],
      ['Which sections of policy {policy} cover water damage?', 'Which sections of policy {policy} do not cover water damage?'],
    ],
    antonym: [['Is water damage from a burst pipe included in policy {policy}?', 'Is water damage from a burst pipe excluded from policy {policy}?']],
    topic: [
      ['Is water damage from a burst pipe covered under policy {policy}?', 'Is fire damage from a burst pipe covered under policy {policy}?'],
      ['Is water damage from a burst pipe covered under policy {policy}?', 'Is mould damage after a burst pipe covered under policy {policy}?'],
      ['Does policy {policy} cover water damage caused by a burst pipe?', 'Does policy {policy} cover water damage caused by a blocked drain?'],
    ],
  },
  {
    forms: [
      "Should claim {claim} for {money} be approved given the adjuster's report?",
      "Based on the adjuster's report, should we approve claim {claim} for {money}?",
      'Given the adjuster report, do you recommend approving the {money} claim {claim}?',
      "Decide whether to approve claim {claim} ({money}) based on the adjuster's report.",
    ],
    reorder: ["Given the adjuster's report, should claim {claim} for {money} be approved?"],
    negation: [
      ["Should claim {claim} for {money} be approved given the adjuster's report?", "Should claim {claim} for {money} not be approved given the adjuster's report?"],
      ["Approve claim {claim} for {money} if the adjuster's report confirms the loss.", "Approve claim {claim} for {money} unless the adjuster's report confirms the loss."],
    ],
    antonym: [
      ["Should claim {claim} for {money} be approved given the adjuster's report?", "Should claim {claim} for {money} be denied given the adjuster's report?"],
      ['Draft an approval letter for claim {claim} for {money}.', 'Draft a rejection letter for claim {claim} for {money}.'],
    ],
    topic: [
      ["Should claim {claim} for {money} be approved given the adjuster's report?", "Should claim {claim} for {money} be escalated given the adjuster's report?"],
      ["Should claim {claim} for {money} be approved given the adjuster's report?", "Should claim {claim} for {money} be paid in instalments given the adjuster's report?"],
    ],
  },
  {
    forms: [
      'List the fraud indicators in claim {claim} filed by {person}.',
      'What fraud indicators do you see in claim {claim}, filed by {person}?',
      "Enumerate the fraud indicators present in {person}'s claim {claim}.",
      'Identify the fraud indicators in claim {claim}, which {person} filed.',
    ],
    reorder: ['For claim {claim} filed by {person}, list the fraud indicators.'],
    negation: [["Explain why claim {claim} filed by {person} is likely to be fraudulent.", "Explain why claim {claim} filed by {person} is not likely to be fraudulent."]],
    antonym: [['List the fraud indicators in claim {claim} that increase the risk score.', 'List the fraud indicators in claim {claim} that decrease the risk score.']],
    topic: [
      ['List the fraud indicators in claim {claim} filed by {person}.', 'List the missing documents in claim {claim} filed by {person}.'],
      ['List the fraud indicators in claim {claim} filed by {person}.', 'List the witnesses in claim {claim} filed by {person}.'],
      ['List the fraud indicators in claim {claim} filed by {person}.', "List the fraud indicators in claim {claim} filed by {person}'s broker."],
    ],
  },
  {
    forms: [
      'Draft a reply to {person} explaining that claim {claim} is still under review.',
      'Write a response to {person} letting them know claim {claim} is still under review.',
      'Compose a reply to {person}: claim {claim} is still under review.',
      "Draft a response for {person} explaining claim {claim} is still under review.",
    ],
    reorder: ['Claim {claim} is still under review; draft a reply to {person} explaining that.'],
    negation: [['Draft a reply to {person} explaining that claim {claim} has been approved.', 'Draft a reply to {person} explaining that claim {claim} has not been approved.']],
    antonym: [
      ['Draft a reply to {person} explaining that claim {claim} has been approved.', 'Draft a reply to {person} explaining that claim {claim} has been rejected.'],
      ['Draft a formal reply to {person} about claim {claim}.', 'Draft an informal reply to {person} about claim {claim}.'],
    ],
    topic: [
      ['Draft a reply to {person} explaining that claim {claim} is still under review.', 'Draft a reply to {person} explaining that claim {claim} is still missing a police report.'],
      ['Draft a reply to {person} explaining that claim {claim} is still under review.', 'Draft a reply to the broker explaining that claim {claim} is still under review.'],
      ['Draft a reply to {person} explaining that claim {claim} is still under review.', 'Draft a legal reply to {person} explaining that claim {claim} is still under review.'],
    ],
  },
  {
    forms: [
      'Check whether the name on the passport matches the application for customer {customer}.',
      "Verify that the passport name matches the name on customer {customer}'s application.",
      "Does the name on customer {customer}'s passport match their application?",
      'Confirm the passport name for customer {customer} matches the application.',
    ],
    reorder: ['For customer {customer}, check whether the name on the passport matches the application.'],
    negation: [['Flag customer {customer} if the passport name matches the application.', "Flag customer {customer} if the passport name doesn't match the application."]],
    antonym: [['Check whether the name on the passport matches the application for customer {customer}.', 'Check whether the name on the passport differs from the application for customer {customer}.']],
    topic: [
      ['Check whether the name on the passport matches the application for customer {customer}.', 'Check whether the address on the passport matches the application for customer {customer}.'],
      ['Check whether the name on the passport matches the application for customer {customer}.', 'Check whether the photo on the passport matches the application for customer {customer}.'],
      ['Check whether the name on the passport matches the application for customer {customer}.', 'Check whether the name on the expired passport matches the application for customer {customer}.'],
    ],
  },
  {
    forms: [
      'Screen {person} of {company} against the sanctions and PEP lists.',
      'Screen {person} from {company} against the PEP and sanctions lists.',
      'Run {person} ({company}) through sanctions and PEP list screening.',
      'Screen {company} employee {person} against sanctions and PEP lists.',
    ],
    reorder: ['Against the sanctions and PEP lists, screen {person} of {company}.'],
    negation: [['Screen {person} of {company} against the sanctions list and the PEP list.', 'Screen {person} of {company} against the sanctions list but not the PEP list.']],
    antonym: [['Should {person} of {company} be onboarded after the sanctions screening?', 'Should {person} of {company} be offboarded after the sanctions screening?']],
    topic: [
      ['Screen {person} of {company} against the sanctions and PEP lists.', 'Screen {person} of {company} against the adverse media and PEP lists.'],
      ['Screen {person} of {company} against the sanctions and PEP lists.', 'Screen the directors of {company} against the sanctions and PEP lists.'],
      ['Screen {person} of {company} against the sanctions and PEP lists.', 'Screen {person} of {company} against the sanctions, PEP and watch lists.'],
    ],
  },
  {
    forms: [
      'Assess whether the {money} deposit from {company} on {date} needs a source-of-funds check.',
      'Does the {money} deposit from {company} on {date} require a source of funds check?',
      'Evaluate whether the {money} deposit made by {company} on {date} needs a source-of-funds check.',
      'Decide if the {money} deposit from {company} on {date} needs a source-of-funds check.',
    ],
    reorder: ['On {date}, {company} made a {money} deposit: assess whether it needs a source-of-funds check.'],
    negation: [['Explain why the {money} deposit from {company} on {date} is suspicious.', 'Explain why the {money} deposit from {company} on {date} is not suspicious.']],
    antonym: [['Assess whether the {money} deposit from {company} on {date} needs a source-of-funds check.', 'Assess whether the {money} withdrawal from {company} on {date} needs a source-of-funds check.']],
    topic: [['Assess whether the {money} deposit from {company} on {date} needs a source-of-funds check.', 'Assess whether the {money} deposit from {company} on {date} needs an enhanced due diligence check.']],
  },
  {
    forms: [
      'Rate customer {customer} as low, medium or high risk based on their transaction history.',
      'Based on transaction history, classify customer {customer} as low, medium or high risk.',
      "Assign customer {customer} a risk rating of low, medium or high from their transaction history.",
      'Using the transaction history, categorise customer {customer} as low, medium or high risk.',
    ],
    reorder: ['Based on their transaction history, rate customer {customer} as low, medium or high risk.'],
    negation: [['Explain why customer {customer} was rated high risk.', 'Explain why customer {customer} was not rated high risk.']],
    antonym: [
      ['Explain why customer {customer} was upgraded to high risk.', 'Explain why customer {customer} was downgraded to high risk.'],
      ["List the transactions that raised customer {customer}'s risk rating.", "List the transactions that lowered customer {customer}'s risk rating."],
    ],
    topic: [
      ['Explain why customer {customer} was rated high risk.', 'Explain how customer {customer} was rated high risk.'],
      ['Explain why customer {customer} was rated high risk.', 'Explain when customer {customer} was rated high risk.'],
    ],
  },
  {
    forms: [
      'The customer says order {order} arrived damaged. Draft a reply offering a refund of {money}.',
      'Write a reply to the customer whose order {order} arrived damaged, offering a {money} refund.',
      'Order {order} arrived damaged according to the customer; draft a reply offering a {money} refund.',
      'Customer reports order {order} arrived damaged. Compose a response that offers a refund of {money}.',
    ],
    reorder: ['Draft a reply offering a refund of {money}: the customer says order {order} arrived damaged.'],
    negation: [['The customer says order {order} arrived damaged. Draft a reply offering a refund of {money}.', 'The customer says order {order} arrived damaged. Draft a reply not offering a refund of {money}.']],
    antonym: [['The customer says order {order} arrived damaged. Draft a reply accepting the refund request for {money}.', 'The customer says order {order} arrived damaged. Draft a reply declining the refund request for {money}.']],
    topic: [
      ['The customer says order {order} arrived damaged. Draft a reply offering a refund of {money}.', 'The customer says order {order} arrived late. Draft a reply offering a refund of {money}.'],
      ['The customer says order {order} arrived damaged. Draft a reply offering a refund of {money}.', 'The customer says order {order} arrived damaged. Draft a reply offering store credit of {money}.'],
    ],
  },
  {
    forms: [
      'How do I reset the VPN password for {email}?',
      'How can I reset the VPN password of {email}?',
      'How do you reset the VPN password for the account {email}?',
      "How to reset {email}'s VPN password?",
    ],
    reorder: ['For {email}, how do I reset the VPN password?'],
    negation: [['Reset the VPN password for {email} and send a reset link.', 'Reset the VPN password for {email} without sending a reset link.']],
    antonym: [
      ['Enable multi-factor authentication for {email}.', 'Disable multi-factor authentication for {email}.'],
      ['Lock the account {email} after {nw} failed logins.', 'Unlock the account {email} after {nw} failed logins.'],
    ],
    topic: [
      ['How do I reset the VPN password for {email}?', 'How do I reset the Outlook password for {email}?'],
      ['How do I reset the VPN password for {email}?', 'How do I change the VPN username for {email}?'],
      ['How do I reset the VPN password for {email}?', 'How do I reset the VPN password and PIN for {email}?'],
    ],
  },
  {
    forms: [
      'Summarise ticket {ticket} and suggest the next step for the support agent.',
      'Give a summary of ticket {ticket} and recommend the next step for the support agent.',
      'Recap ticket {ticket} and propose the next step for the support agent.',
      'Summarize support ticket {ticket} and suggest a next step for the agent.',
    ],
    reorder: ['Suggest the next step for the support agent and summarise ticket {ticket}.'],
    negation: [['Summarise ticket {ticket} and suggest the next step, mentioning the refund.', 'Summarise ticket {ticket} and suggest the next step without mentioning the refund.']],
    antonym: [['Summarise ticket {ticket} and suggest whether to escalate it.', 'Summarise ticket {ticket} and suggest whether to de-escalate it.']],
    topic: [
      ['Summarise ticket {ticket} and suggest the next step for the support agent.', 'Summarise ticket {ticket} and suggest the root cause for the support agent.'],
      ['Summarise ticket {ticket} and suggest the next step for the support agent.', 'Summarise ticket {ticket} and suggest the next step for the engineering team.'],
    ],
  },
  {
    forms: [
      'Classify the sentiment of this review as positive, negative or neutral: "{review}"',
      'Is this review positive, negative or neutral? "{review}"',
      'Label the sentiment of the following review as positive, negative or neutral: "{review}"',
      'Categorise this review\'s sentiment (positive, negative or neutral): "{review}"',
    ],
    reorder: ['"{review}" Classify the sentiment of this review as positive, negative or neutral.'],
    negation: [['Classify the sentiment of this review as positive, negative or neutral: "{review}"', 'Classify the sentiment of this review as positive, negative or neutral: "{reviewNeg}"']],
    topic: [['Classify the sentiment of this review as positive, negative or neutral: "{review}"', 'Classify the sentiment of this review as positive, negative or neutral: "{review2}"']],
  },
  {
    forms: [
      'Categorise this email as billing, technical or account: {mail}',
      'Classify the following email as billing, technical or account. {mail}',
      'Which category does this email belong to: billing, technical or account? {mail}',
      'Tag this email as billing, technical or account: {mail}',
    ],
    negation: [['Categorise this email as billing, technical or account: {mail}', 'Categorise this email as billing, technical or account: {mailNeg}']],
    topic: [['Categorise this email as billing, technical or account: {mail}', 'Categorise this email as billing, technical or account: {mail2}']],
  },
  {
    forms: [
      'Extract the invoice number, due date and total amount from the attached invoice from {company}.',
      "Pull out the invoice number, due date and total amount from {company}'s attached invoice.",
      'From the attached {company} invoice, extract the invoice number, due date and total.',
      'Extract invoice number, due date and total amount from the {company} invoice attached.',
    ],
    reorder: ['From the attached invoice from {company}, extract the total amount, due date and invoice number.'],
    negation: [['Extract the line items from the {company} invoice, including tax.', 'Extract the line items from the {company} invoice, excluding tax.']],
    antonym: [['Extract the net amount from the {company} invoice.', 'Extract the gross amount from the {company} invoice.']],
    topic: [
      ['Extract the invoice number, due date and total amount from the attached invoice from {company}.', 'Extract the invoice number, issue date and total amount from the attached invoice from {company}.'],
      ['Extract the bank details from the attached invoice from {company}.', 'Extract the VAT number from the attached invoice from {company}.'],
      ['Extract the invoice number, due date and total amount from the attached invoice from {company}.', 'Extract the invoice number, due date, tax and total amount from the attached invoice from {company}.'],
    ],
  },
  {
    forms: [
      'Schedule payment of invoice {invoice} for {money} to {company} on {date}.',
      "Schedule {company}'s invoice {invoice} ({money}) for payment on {date}.",
      'Schedule a payment of {money} to {company} for invoice {invoice} on {date}.',
      'Pay invoice {invoice} from {company}, {money}, on {date}.',
    ],
    reorder: ['On {date}, schedule payment of invoice {invoice} for {money} to {company}.'],
    negation: [['Schedule payment of invoice {invoice} for {money} to {company} on {date}.', 'Do not schedule payment of invoice {invoice} for {money} to {company} on {date}.']],
    antonym: [['Schedule payment of invoice {invoice} for {money} to {company} before {date}.', 'Schedule payment of invoice {invoice} for {money} to {company} after {date}.']],
    topic: [
      ['Schedule payment of invoice {invoice} for {money} to {company} on {date}.', 'Schedule a reminder about invoice {invoice} for {money} to {company} on {date}.'],
      ['Transfer {money} from {company} to the escrow account on {date}.', 'Transfer {money} to {company} from the escrow account on {date}.'],
    ],
  },
  {
    forms: [
      'Is a {money} hotel expense in {city} within the travel policy?',
      'Does a {money} hotel expense in {city} comply with the travel policy?',
      'Check if a hotel expense of {money} in {city} is within travel policy.',
      'Would a {money} hotel bill in {city} be within our travel policy?',
    ],
    reorder: ['Under the travel policy, is a {money} hotel expense in {city} within limits?'],
    negation: [['Is a {money} hotel expense in {city} within the travel policy?', 'Is a {money} hotel expense in {city} not within the travel policy?']],
    antonym: [['Is a {money} hotel expense in {city} above the travel policy limit?', 'Is a {money} hotel expense in {city} below the travel policy limit?']],
    topic: [
      ['Is a {money} hotel expense in {city} within the travel policy?', 'Is a {money} taxi expense in {city} within the travel policy?'],
      ['Is a {money} hotel expense in {city} within the travel policy?', 'Is a {money} hotel expense in {city} within the entertainment policy?'],
    ],
  },
  {
    forms: [
      "Explain why the {dept} department's spend was {pct} above budget in {quarter}.",
      'Why was the {dept} department {pct} above budget in {quarter}?',
      'What explains the {dept} department spending {pct} above budget in {quarter}?',
      "In {quarter}, why was the {dept} department's spend {pct} above budget?",
    ],
    reorder: ["In {quarter}, the {dept} department's spend was {pct} above budget: explain why."],
    negation: [["Explain why the {dept} department's spend was {pct} above budget in {quarter}.", "Explain why the {dept} department's spend was not {pct} above budget in {quarter}."]],
    antonym: [
      ["Explain why the {dept} department's spend was {pct} above budget in {quarter}.", "Explain why the {dept} department's spend was {pct} below budget in {quarter}."],
      ["Explain why the {dept} department's spend increased {pct} in {quarter}.", "Explain why the {dept} department's spend decreased {pct} in {quarter}."],
    ],
    topic: [["Explain why the {dept} department's spend was {pct} above budget in {quarter}.", "Explain why the {dept} department's headcount was {pct} above budget in {quarter}."]],
  },
  {
    forms: [
      'Does the contract with {company} allow termination for convenience with {notice} notice?',
      'Can we terminate the {company} contract for convenience with {notice} notice?',
      'Check whether the {company} agreement allows termination for convenience on {notice} notice.',
      "Does {company}'s contract permit termination for convenience given {notice} notice?",
    ],
    reorder: ['With {notice} notice, does the contract with {company} allow termination for convenience?'],
    negation: [['Does the contract with {company} allow termination for convenience with {notice} notice?', 'Does the contract with {company} not allow termination for convenience with {notice} notice?']],
    antonym: [['Does the contract with {company} allow termination for convenience with {notice} notice?', 'Does the contract with {company} forbid termination for convenience with {notice} notice?']],
    topic: [
      ['Does the contract with {company} allow termination for convenience with {notice} notice?', 'Does the contract with {company} allow termination for cause with {notice} notice?'],
      ['Does the contract with {company} allow termination for convenience with {notice} notice?', 'Does the contract with {company} allow assignment for convenience with {notice} notice?'],
    ],
  },
  {
    forms: [
      "List the clauses in {company}'s NDA that deviate from our standard template.",
      'Which clauses in the {company} NDA deviate from our standard template?',
      'Review the NDA from {company} and list the clauses that deviate from our standard template.',
      'Identify clauses in the NDA from {company} deviating from our standard template.',
    ],
    reorder: ["Compared with our standard template, list the clauses in {company}'s NDA that deviate."],
    negation: [["List the clauses in {company}'s NDA that deviate from our standard template.", "List the clauses in {company}'s NDA that do not deviate from our standard template."]],
    antonym: [["List the clauses in {company}'s NDA that are stricter than our standard template.", "List the clauses in {company}'s NDA that are looser than our standard template."]],
    topic: [
      ["List the clauses in {company}'s NDA that deviate from our standard template.", "List the clauses in {company}'s MSA that deviate from our standard template."],
      ["List the clauses in {company}'s NDA that deviate from our standard template.", "List the definitions in {company}'s NDA that deviate from our standard template."],
    ],
  },
  {
    forms: [
      'Calculate the premium for a {age}-year-old driver with {n} at-fault accidents in the last {years} years.',
      'What premium should we quote a {age}-year-old driver with {n} at-fault accidents in the last {years} years?',
      'Quote a premium for a {age}-year-old driver who has had {n} at-fault accidents in the last {years} years.',
      'Work out the premium for a {age}-year-old driver with {nw} at-fault accidents in the last {years} years.',
    ],
    reorder: ['For a {age}-year-old driver with {n} at-fault accidents in the last {years} years, calculate the premium.'],
    negation: [['Quote a premium for a {age}-year-old driver with {n} at-fault accidents.', 'Quote a premium for a {age}-year-old driver with no at-fault accidents.']],
    antonym: [['Should we increase the premium for a {age}-year-old driver with {n} at-fault accidents?', 'Should we decrease the premium for a {age}-year-old driver with {n} at-fault accidents?']],
    topic: [['Calculate the premium for a {age}-year-old driver with {n} at-fault accidents in the last {years} years.', 'Calculate the excess for a {age}-year-old driver with {n} at-fault accidents in the last {years} years.']],
  },
  {
    forms: [
      'Assess the flood risk for the property at {address} before we quote home insurance.',
      'Before we quote home insurance, assess the flood risk of the property at {address}.',
      'Evaluate flood risk for the property at {address} prior to quoting home insurance.',
      'What is the flood risk for the property at {address}? We need it before quoting home insurance.',
    ],
    reorder: ['Before we quote home insurance, assess the flood risk for the property at {address}.'],
    negation: [['Assess the flood risk for the property at {address}, which is in a flood zone.', 'Assess the flood risk for the property at {address}, which is not in a flood zone.']],
    antonym: [['Assess the flood risk for the property at {address} before we quote home insurance.', 'Assess the flood risk for the property at {address} after we quote home insurance.']],
    topic: [['Assess the flood risk for the property at {address} before we quote home insurance.', 'Assess the subsidence risk for the property at {address} before we quote home insurance.']],
  },
  {
    forms: [
      'How many days of annual leave does {person} have left for {year}?',
      "What is {person}'s remaining annual leave for {year}, in days?",
      'How many annual leave days has {person} got left in {year}?',
      'Tell me how many days of annual leave {person} has left for {year}.',
    ],
    reorder: ['For {year}, how many days of annual leave does {person} have left?'],
    negation: [["Approve {person}'s annual leave request for {date}.", "Do not approve {person}'s annual leave request for {date}."]],
    antonym: [["Approve {person}'s annual leave request for {date}.", "Reject {person}'s annual leave request for {date}."]],
    topic: [
      ['How many days of annual leave does {person} have left for {year}?', 'How many days of sick leave does {person} have left for {year}?'],
      ['How many days of annual leave does {person} have left for {year}?', 'How many days of annual leave has {person} taken in {year}?'],
    ],
  },
  {
    forms: [
      'Summarise the call with {person} from {company} on {date} and list the action items.',
      'Give me a summary of the {date} call with {person} from {company} and list the action items.',
      'Recap the call with {person} of {company} on {date}, then list the action items.',
      'Summarize our {date} call with {person} ({company}) and list action items.',
    ],
    reorder: ['List the action items and summarise the call with {person} from {company} on {date}.'],
    negation: [['Summarise the call with {person} from {company} on {date} and list the action items.', 'Summarise the call with {person} from {company} on {date} but do not list the action items.']],
    antonym: [['Summarise the call with {person} from {company} on {date} and list the action items assigned to us.', 'Summarise the call with {person} from {company} on {date} and list the action items assigned to them.']],
    topic: [['Summarise the call with {person} from {company} on {date} and list the action items.', 'Summarise the call with {person} from {company} on {date} and list the open questions.']],
  },
  {
    forms: [
      'Translate the following message into {lang}: "{message}"',
      'Please translate this message into {lang}: "{message}"',
      'Give me a {lang} translation of this message: "{message}"',
      'Translate into {lang}: "{message}"',
    ],
    reorder: ['"{message}" Translate this message into {lang}.'],
    antonym: [['Translate the following message into formal {lang}: "{message}"', 'Translate the following message into informal {lang}: "{message}"']],
    topic: [
      ['Translate the following message into {lang}: "{message}"', 'Translate the following message into {lang}: "{message2}"'],
      ['Translate the following message into {lang}: "{message}"', 'Shorten and translate the following message into {lang}: "{message}"'],
    ],
  },
  {
    forms: [
      'List customers who cancelled their subscription in {month} and opened more than {n} support tickets.',
      'Which customers cancelled their subscription in {month} and opened more than {n} support tickets?',
      'Show the customers that cancelled their subscription in {month} after opening more than {n} support tickets.',
      'Find customers who cancelled their subscriptions in {month} and had opened more than {nw} support tickets.',
    ],
    reorder: ['In {month}, which customers cancelled their subscription and opened more than {n} support tickets?'],
    negation: [['List customers who cancelled their subscription in {month} and opened more than {n} support tickets.', 'List customers who did not cancel their subscription in {month} and opened more than {n} support tickets.']],
    antonym: [['List customers who cancelled their subscription in {month} and opened more than {n} support tickets.', 'List customers who cancelled their subscription in {month} and opened fewer than {n} support tickets.']],
    topic: [['List customers who cancelled their subscription in {month} and opened more than {n} support tickets.', 'List customers who paused their subscription in {month} and opened more than {n} support tickets.']],
  },
  {
    forms: [
      'Write a SQL query that returns the top {n} customers by revenue in {year}.',
      'Write SQL to get the top {n} customers by revenue for {year}.',
      'Give me a SQL query returning the top {n} customers by revenue in {year}.',
      'Write a SQL query for the top {nw} customers by revenue in {year}.',
    ],
    reorder: ['For {year}, write a SQL query that returns the top {n} customers by revenue.'],
    negation: [['Write a SQL query that returns the top {n} customers by revenue in {year}, including refunds.', 'Write a SQL query that returns the top {n} customers by revenue in {year}, excluding refunds.']],
    antonym: [['Write a SQL query that returns the top {n} customers by revenue in {year}.', 'Write a SQL query that returns the bottom {n} customers by revenue in {year}.']],
    topic: [
      ['Write a SQL query that returns the top {n} customers by revenue in {year}.', 'Write a SQL query that returns the top {n} customers by order count in {year}.'],
      ['Write a SQL query that returns the top {n} customers by revenue in {year}.', 'Write a SQL query that returns the top {n} products by revenue in {year}.'],
      ['Write a SQL query that returns the top {n} customers by revenue in {year}.', 'Write a SQL query that returns the top {n} new customers by revenue in {year}.'],
    ],
  },
  {
    forms: [
      'Write a Python function that validates an IBAN and returns true or false.',
      'Write a Python function to validate an IBAN, returning true or false.',
      'Create a Python function that checks whether an IBAN is valid and returns true or false.',
      'Write a function in Python that validates an IBAN and returns true or false.',
    ],
    reorder: ['Returning true or false, write a Python function that validates an IBAN.'],
    negation: [['Write a Python function that validates an IBAN and raises an exception on failure.', 'Write a Python function that validates an IBAN and never raises an exception on failure.']],
    topic: [
      ['Write a Python function that validates an IBAN and returns true or false.', 'Write a Python function that validates a BIC and returns true or false.'],
      ['Write a Python function that validates an IBAN and returns true or false.', 'Write a Python function that formats an IBAN and returns true or false.'],
    ],
  },
  {
    forms: [
      'What is the maximum amount an employee can expense for a client dinner in {city}?',
      'What is the maximum an employee may expense for a client dinner in {city}?',
      'For a client dinner in {city}, what is the maximum amount an employee can expense?',
      'Tell me the maximum amount an employee can claim as an expense for a client dinner in {city}.',
    ],
    reorder: ['For a client dinner in {city}, what is the maximum amount an employee can expense?'],
    negation: [['Can an employee expense alcohol at a client dinner in {city}?', 'Can an employee not expense alcohol at a client dinner in {city}?']],
    antonym: [['What is the maximum amount an employee can expense for a client dinner in {city}?', 'What is the minimum amount an employee can expense for a client dinner in {city}?']],
    topic: [['What is the maximum amount an employee can expense for a client dinner in {city}?', 'What is the maximum amount an employee can expense for a team dinner in {city}?']],
  },
  {
    forms: [
      'Does sending customer data to {company} in {country} require a data processing agreement under GDPR?',
      'Under GDPR, do we need a data processing agreement to send customer data to {company} in {country}?',
      'Is a data processing agreement required under GDPR to send customer data to {company} in {country}?',
      'Do we need a GDPR data processing agreement for sending customer data to {company} in {country}?',
    ],
    reorder: ['Under GDPR, does sending customer data to {company} in {country} require a data processing agreement?'],
    negation: [['Does sending anonymised customer data to {company} in {country} require a data processing agreement?', 'Does sending customer data that is not anonymised to {company} in {country} require a data processing agreement?']],
    topic: [['Does sending customer data to {company} in {country} require a data processing agreement under GDPR?', 'Does sending employee data to {company} in {country} require a data processing agreement under GDPR?']],
  },
  {
    forms: [
      'Increase the reserve on claim {claim} by {money} and note the reason in the file.',
      'Raise the reserve for claim {claim} by {money} and record the reason in the file.',
      'Add {money} to the reserve on claim {claim} and note the reason in the file.',
      'Increase claim {claim} reserve by {money}; note the reason in the file.',
    ],
    reorder: ['By {money}, increase the reserve on claim {claim} and note the reason in the file.'],
    negation: [['Increase the reserve on claim {claim} by {money} and note the reason in the file.', 'Increase the reserve on claim {claim} by {money} and do not note the reason in the file.']],
    antonym: [['Increase the reserve on claim {claim} by {money} and note the reason in the file.', 'Decrease the reserve on claim {claim} by {money} and note the reason in the file.']],
    topic: [['Increase the reserve on claim {claim} by {money} and note the reason in the file.', 'Increase the deductible on claim {claim} by {money} and note the reason in the file.']],
  },
  {
    forms: [
      'Is ticket {ticket} from {company} a P1 incident under our SLA?',
      'Under our SLA, is ticket {ticket} from {company} a P1 incident?',
      'Does ticket {ticket} from {company} count as a P1 incident under the SLA?',
      'Should ticket {ticket} from {company} be treated as a P1 incident under our SLA?',
    ],
    reorder: ['Under our SLA, is ticket {ticket} from {company} a P1 incident?'],
    negation: [['Is ticket {ticket} from {company} a P1 incident under our SLA?', 'Is ticket {ticket} from {company} not a P1 incident under our SLA?']],
    topic: [
      ['Is ticket {ticket} from {company} a P1 incident under our SLA?', 'Is ticket {ticket} from {company} a P2 incident under our SLA?'],
      ['Is ticket {ticket} from {company} a P1 incident under our SLA?', 'Is ticket {ticket} from {company} a P1 incident under their SLA?'],
    ],
  },
  {
    forms: [
      'Calculate the monthly repayment on a {money} loan at {pct} interest over {years} years.',
      'What is the monthly repayment for a {money} loan at {pct} interest over {years} years?',
      'Work out the monthly repayment of a {money} loan over {years} years at {pct} interest.',
      'Compute the monthly repayment on a loan of {money} at {pct} interest for {years} years.',
    ],
    reorder: ['Over {years} years at {pct} interest, calculate the monthly repayment on a {money} loan.'],
    antonym: [['Calculate the monthly repayment on a {money} loan at {pct} fixed interest over {years} years.', 'Calculate the monthly repayment on a {money} loan at {pct} variable interest over {years} years.']],
    topic: [['Calculate the monthly repayment on a {money} loan at {pct} interest over {years} years.', 'Calculate the total interest on a {money} loan at {pct} interest over {years} years.']],
  },
  {
    forms: [
      'Estimate the shipping cost for a {qty} parcel from {city} to {city2}.',
      'What would it cost to ship a {qty} parcel from {city} to {city2}?',
      'How much is shipping for a {qty} parcel from {city} to {city2}?',
      'Give me an estimate of the shipping cost for a {qty} parcel from {city} to {city2}.',
    ],
    reorder: ['From {city} to {city2}, estimate the shipping cost for a {qty} parcel.'],
    negation: [['Estimate the shipping cost for a {qty} parcel from {city} to {city2}, with insurance.', 'Estimate the shipping cost for a {qty} parcel from {city} to {city2}, without insurance.']],
    antonym: [['Estimate the import duty for a {qty} parcel from {city} to {city2}.', 'Estimate the export duty for a {qty} parcel from {city} to {city2}.']],
    topic: [
      ['Estimate the shipping cost for a {qty} parcel from {city} to {city2}.', 'Estimate the shipping cost for a {qty} parcel from {city2} to {city}.'],
      ['Estimate the shipping cost for a {qty} parcel from {city} to {city2}.', 'Estimate the delivery time for a {qty} parcel from {city} to {city2}.'],
      ['Estimate the shipping cost for a {qty} parcel from {city} to {city2}.', 'Estimate the express shipping cost for a {qty} parcel from {city} to {city2}.'],
    ],
  },
  {
    forms: [
      'Book a meeting with {person} on {date} at {time} to review the renewal.',
      'Schedule a meeting with {person} on {date} at {time} to review the renewal.',
      'Set up a meeting with {person} for {date} at {time} to review the renewal.',
      'Book time with {person} on {date} at {time} for a renewal review.',
    ],
    reorder: ['On {date} at {time}, book a meeting with {person} to review the renewal.'],
    negation: [['Book a meeting with {person} on {date} at {time} and invite the account manager.', 'Book a meeting with {person} on {date} at {time} and do not invite the account manager.']],
    antonym: [['Book a meeting with {person} on {date} at {time} to review the renewal.', 'Cancel the meeting with {person} on {date} at {time} to review the renewal.']],
    topic: [
      ['Book a meeting with {person} on {date} at {time} to review the renewal.', 'Book a meeting with {person} on {date} at {time} to review the incident.'],
      ['Book a meeting with {person} on {date} at {time} to review the renewal.', 'Book a meeting with {person} on {date} at {time} to review the renewal pricing.'],
    ],
  },
  {
    forms: [
      'Upgrade customer {customer} to the {plan} plan from {date}.',
      'Move customer {customer} up to the {plan} plan starting {date}.',
      'From {date}, upgrade customer {customer} to the {plan} plan.',
      'Upgrade {customer} to the {plan} plan with effect from {date}.',
    ],
    reorder: ['From {date}, upgrade customer {customer} to the {plan} plan.'],
    negation: [['Upgrade customer {customer} to the {plan} plan from {date} and keep the discount.', 'Upgrade customer {customer} to the {plan} plan from {date} and do not keep the discount.']],
    antonym: [['Upgrade customer {customer} to the {plan} plan from {date}.', 'Downgrade customer {customer} to the {plan} plan from {date}.']],
    topic: [['Upgrade customer {customer} to the {plan} plan from {date}.', 'Quote customer {customer} for the {plan} plan from {date}.']],
  },
  {
    forms: [
      'Summarise the discharge summary for patient {patient} and list the prescribed medications.',
      'Give me a summary of the discharge summary for patient {patient} and list the prescribed medications.',
      "Summarize patient {patient}'s discharge summary and list the prescribed medications.",
      'Summarise the discharge summary of patient {patient}, then list prescribed medications.',
    ],
    reorder: ['List the prescribed medications and summarise the discharge summary for patient {patient}.'],
    negation: [['List the medications prescribed to patient {patient} that are covered by the plan.', 'List the medications prescribed to patient {patient} that are not covered by the plan.']],
    antonym: [['List the medications prescribed to patient {patient} at admission.', 'List the medications prescribed to patient {patient} at discharge.']],
    topic: [
      ['Summarise the discharge summary for patient {patient} and list the prescribed medications.', 'Summarise the discharge summary for patient {patient} and list the follow-up appointments.'],
      ['Summarise the discharge summary for patient {patient} and list the prescribed medications.', 'Summarise the discharge summary for patient {patient} and list the prescribed pain medications.'],
    ],
  },
  {
    forms: [
      'Extract the policyholder name, policy number and incident date from this email: {mail}',
      'From this email, extract the policyholder name, policy number and incident date: {mail}',
      'Pull the policyholder name, policy number and incident date out of this email: {mail}',
      'Extract policyholder name, policy number and date of incident from the email below. {mail}',
    ],
    topic: [
      ['Extract the policyholder name, policy number and incident date from this email: {mail}', 'Extract the policyholder name, policy number and incident date from this email: {mail2}'],
      ['Extract the policyholder name, policy number and incident date from this email: {mail}', 'Extract the policyholder name, policy number and phone number from this email: {mail}'],
    ],
  },
  {
    forms: [
      'How long must we retain claim files for customers in {country}?',
      'How long do we have to keep claim files for customers in {country}?',
      'For customers in {country}, how long must claim files be retained?',
      'What is the retention period for claim files for customers in {country}?',
    ],
    reorder: ['For customers in {country}, how long must we retain claim files?'],
    negation: [['Can we delete claim files for customers in {country} after the retention period?', 'Can we not delete claim files for customers in {country} after the retention period?']],
    antonym: [['How long must we retain claim files for customers in {country}?', 'How soon must we delete claim files for customers in {country}?']],
    topic: [['How long must we retain claim files for customers in {country}?', 'How long must we retain call recordings for customers in {country}?']],
  },
  {
    forms: [
      'Generate a quarterly report of claims paid over {money} for {quarter}.',
      'Create a quarterly report of claims paid above {money} for {quarter}.',
      'Produce the {quarter} quarterly report of claims paid over {money}.',
      'Generate a report for {quarter}, quarterly, of claims paid over {money}.',
    ],
    reorder: ['For {quarter}, generate a quarterly report of claims paid over {money}.'],
    negation: [['Generate a quarterly report of claims paid over {money} for {quarter}.', 'Generate a quarterly report of claims not paid over {money} for {quarter}.']],
    antonym: [['Generate a quarterly report of claims paid over {money} for {quarter}.', 'Generate a quarterly report of claims paid under {money} for {quarter}.']],
    topic: [['Generate a quarterly report of claims paid over {money} for {quarter}.', 'Generate a monthly report of claims paid over {money} for {quarter}.']],
  },
  {
    forms: [
      'Which of our vendors in {country} have contracts expiring before {date}?',
      'List vendors in {country} whose contracts expire before {date}.',
      'Show vendors in {country} with contracts expiring before {date}.',
      'Find the vendors in {country} whose contracts are expiring before {date}.',
    ],
    reorder: ['Before {date}, which of our vendors in {country} have contracts expiring?'],
    negation: [['Which of our vendors in {country} have contracts expiring before {date}?', 'Which of our vendors in {country} do not have contracts expiring before {date}?']],
    antonym: [['Which of our vendors in {country} have contracts expiring before {date}?', 'Which of our vendors in {country} have contracts expiring after {date}?']],
    topic: [['Which of our vendors in {country} have contracts expiring before {date}?', 'Which of our vendors in {country} have invoices expiring before {date}?']],
  },
  {
    forms: [
      'Recommend whether to renew the {product} policy for {company} at a {pct} rate increase.',
      'Should we renew the {product} policy for {company} with a {pct} rate increase?',
      'Advise whether we should renew {company}\'s {product} policy at a {pct} rate increase.',
      'Decide whether to renew the {product} policy for {company} with a {pct} increase in rate.',
    ],
    reorder: ['At a {pct} rate increase, should we renew the {product} policy for {company}?'],
    negation: [['Recommend whether to renew the {product} policy for {company} at a {pct} rate increase.', 'Recommend whether not to renew the {product} policy for {company} at a {pct} rate increase.']],
    antonym: [['Recommend whether to renew the {product} policy for {company} at a {pct} rate increase.', 'Recommend whether to renew the {product} policy for {company} at a {pct} rate decrease.']],
    topic: [['Recommend whether to renew the {product} policy for {company} at a {pct} rate increase.', 'Recommend whether to cancel the {product} policy for {company} at a {pct} rate increase.']],
  },
];

/**
 * Held-out pairs: written by hand after the guards and word lists were
 * settled, in wordings the templates do not use, and never used to tune
 * them. The benchmark reports them separately.
 */
const HOLDOUT: readonly (readonly [PairKind, string, string])[] = [
  ['paraphrase', "What's the excess on Jane Doe's motor policy MP-44821?", 'How much is the excess on motor policy MP-44821 for Jane Doe?'],
  ['paraphrase', 'Summarize the attached loss adjuster report in plain English.', 'Give me a plain-English summary of the attached loss adjuster report.'],
  ['paraphrase', 'Translate the claim acknowledgement letter into German.', 'Please translate the claim acknowledgement letter to German.'],
  ['paraphrase', 'List all open complaints assigned to the Leeds team.', 'Show me every open complaint assigned to the Leeds team.'],
  ['paraphrase', 'Classify ticket 55123 as bug, feature request or question.', 'Is ticket 55123 a bug, a feature request or a question?'],
  ['paraphrase', 'Extract the VIN and registration number from the attached V5C document.', 'From the attached V5C document, pull out the VIN and the registration number.'],
  ['paraphrase', 'Write a short apology email to the customer for the delayed payout on claim CLM-33120.', 'Draft a brief apology email to the customer about the delayed payout on claim CLM-33120.'],
  ['paraphrase', "Check if customer 88213's ID document has expired.", 'Has the ID document for customer 88213 expired?'],
  ['paraphrase', 'Rewrite this paragraph in a friendlier tone: "Your claim is rejected."', 'Rephrase this paragraph in a friendlier tone: "Your claim is rejected."'],
  ['paraphrase', 'Count the claims closed in October 2025 by the Bristol office.', 'How many claims did the Bristol office close in October 2025?'],
  ['paraphrase', 'Generate a KYC checklist for onboarding a UK limited company.', 'Create a KYC checklist for onboarding a limited company in the UK.'],
  ['paraphrase', 'Identify the policyholder and the date of loss in this FNOL note.', 'Find the policyholder and date of loss in this FNOL note.'],
  ['paraphrase', 'Explain the difference between a deductible and a co-payment.', "What's the difference between a deductible and a co-payment?"],
  ['paraphrase', 'Recommend the next best action for customer C-77120 who missed two premium payments.', 'Suggest the next best action for customer C-77120, who has missed two premium payments.'],
  ['paraphrase', 'Convert this table of claim reserves into CSV.', 'Turn this table of claim reserves into CSV format.'],
  ['paraphrase', 'Is the policyholder at fault for the collision described in claim CLM-50122?', 'Based on claim CLM-50122, was the policyholder at fault in the collision?'],
  ['paraphrase', 'Calculate the pro-rata refund for cancelling policy PL-2231 after 97 days.', 'Work out the pro-rata refund if policy PL-2231 is cancelled after 97 days.'],
  ['paraphrase', 'Give me three reasons why claim CLM-71003 might be declined.', 'List 3 reasons claim CLM-71003 might be declined.'],
  ['paraphrase', 'Suggest a subject line for the renewal email to Northgate Foods.', 'Propose a subject line for the renewal email to Northgate Foods.'],
  ['paraphrase', 'Please summarise the FNOL for claim CLM-20031.', 'Summarize the first notification of loss for claim CLM-20031.'],
  ['paraphrase', 'What is the status of claim CLM-20031?', "What's the current status of claim CLM-20031?"],
  ['paraphrase', 'Send a payment reminder to Orion Supplies for invoice INV-5521.', 'Email Orion Supplies a payment reminder for invoice INV-5521.'],
  ['paraphrase', 'Can you classify this complaint as service, pricing or claims?', 'Classify this complaint: service, pricing or claims?'],
  ['paraphrase', 'Draft a LinkedIn post announcing our new cyber insurance product.', 'Write a LinkedIn post that announces our new cyber insurance product.'],
  ['paraphrase', 'Tell me the renewal date for policy HX-55102.', 'When does policy HX-55102 renew?'],
  ['paraphrase', 'Is this email a phishing attempt?', 'Could this email be a phishing attempt?'],
  ['paraphrase', 'Give me the top 5 brokers by gross written premium.', 'List the 5 top brokers by gross written premium.'],
  ['paraphrase', "Which claims are waiting on an engineer's report?", "Which claims are awaiting an engineer's report?"],
  ['paraphrase', 'How long does a subrogation recovery usually take?', 'How long do subrogation recoveries usually take?'],
  ['paraphrase', 'Flag any unusual payments in this bank statement.', 'Highlight any unusual payments in this bank statement.'],
  ['paraphrase', 'Find the broker commission rate for Northgate Foods.', 'Look up the broker commission rate for Northgate Foods.'],
  ['reorder', "Before escalating ticket 90211, summarise the customer's last three emails.", "Summarise the customer's last three emails before escalating ticket 90211."],
  ['reorder', 'Using the rate card, quote a premium for a 2019 Ford Focus.', 'Quote a premium for a 2019 Ford Focus using the rate card.'],
  ['reorder', 'Check the sanctions list for Harbour Freight Ltd.', 'Check Harbour Freight Ltd against the sanctions list.'],
  ['reorder', 'Explain the exclusions in policy HX-55102 in simple terms.', 'Explain, in simple terms, the exclusions in policy HX-55102.'],
  ['typo', 'Summarise the complaint from Priya Nair about the delayed refund.', 'Summarise the complaint from Priya Nair about the delayed refudn.'],
  ['typo', 'Verify the beneficial owners of Harbour Freight Ltd.', 'Verify the beneficial ownres of Harbour Freight Ltd.'],
  ['case', 'Draft a renewal reminder for policy HX-55102.', 'draft a renewal reminder for policy hx-55102'],
  ['case', 'Which invoices from Orion Supplies are overdue?', 'WHICH INVOICES FROM ORION SUPPLIES ARE OVERDUE?'],
  ['case', 'Summarise the complaint from Priya Nair about the delayed refund.', "summarise priya nair's complaint about the delayed refund"],
  ['number', 'Refund 15% of the premium on policy PL-2231.', 'Refund 50% of the premium on policy PL-2231.'],
  ['number', 'Give me three reasons why claim CLM-71003 might be declined.', 'Give me five reasons why claim CLM-71003 might be declined.'],
  ['number', 'Approve the overtime of 12 hours for the Leeds team.', 'Approve the overtime of 21 hours for the Leeds team.'],
  ['number', 'Calculate the pro-rata refund for cancelling policy PL-2231 after 97 days.', 'Calculate the pro-rata refund for cancelling policy PL-2231 after 79 days.'],
  ['number', 'Is a claim of $9,999 above the auto-approval limit?', 'Is a claim of $99,999 above the auto-approval limit?'],
  ['number', 'Quote a premium for a 2019 Ford Focus.', 'Quote a premium for a 2021 Ford Focus.'],
  ['number', 'Explain why the claim was paid late.', 'Explain why the claim was paid twice.'],
  ['id', "What's the excess on motor policy MP-44821?", "What's the excess on motor policy MP-44812?"],
  ['id', "Check if customer 88213's ID document has expired.", "Check if customer 88231's ID document has expired."],
  ['id', 'Summarise ticket JIRA-4410 for the release notes.', 'Summarise ticket JIRA-4401 for the release notes.'],
  ['id', 'Send the claim form to tom.baker@northgate.co.uk.', 'Send the claim form to tim.baker@northgate.co.uk.'],
  ['id', 'Look up order 7781-2231 and confirm the delivery address.', 'Look up order 7781-2213 and confirm the delivery address.'],
  ['date', 'List the payments that bounced on Friday.', 'List the payments that bounced on Thursday.'],
  ['date', 'How many claims were reported between 1 and 15 March?', 'How many claims were reported between 1 and 15 May?'],
  ['date', 'Set the policy start date to 01/07/2026.', 'Set the policy start date to 07/01/2026.'],
  ['date', 'Summarise the incidents logged last month.', 'Summarise the incidents logged this month.'],
  ['date', 'Remind the broker about the renewal on 30 September.', 'Remind the broker about the renewal on 30 November.'],
  ['date', 'Can the customer pay monthly?', 'Can the customer pay annually?'],
  ['negation', 'Tell the customer we can cover the hotel costs.', 'Tell the customer we cannot cover the hotel costs.'],
  ['negation', 'List claims where a police report was filed.', 'List claims where no police report was filed.'],
  ['negation', 'Write to the customer confirming the car was roadworthy.', "Write to the customer confirming the car wasn't roadworthy."],
  ['negation', 'Find customers who have ever made a claim.', 'Find customers who have never made a claim.'],
  ['negation', 'Proceed with the payout unless fraud is suspected.', 'Proceed with the payout if fraud is suspected.'],
  ['negation', 'Include the broker in the reply to Priya Nair.', "Don't include the broker in the reply to Priya Nair."],
  ['negation', 'Is the applicant a politically exposed person?', 'Is the applicant not a politically exposed person?'],
  ['entity', 'Summarise the complaint from Priya Nair about the delayed refund.', 'Summarise the complaint from Priya Shah about the delayed refund.'],
  ['entity', 'Which invoices from Orion Supplies are overdue?', 'Which invoices from Orbit Supplies are overdue?'],
  ['entity', 'Translate the claim acknowledgement letter into German.', 'Translate the claim acknowledgement letter into Dutch.'],
  ['entity', 'Verify the beneficial owners of Harbour Freight Ltd.', 'Verify the beneficial owners of Harbour Logistics Ltd.'],
  ['entity', 'List all open complaints assigned to the Leeds team.', 'List all open complaints assigned to the Bristol team.'],
  ['entity', 'Quote a premium for a 2019 Ford Focus.', 'Quote a premium for a 2019 Ford Fiesta.'],
  ['entity', 'summarise the latest emails from the underwriting team', 'summarise the latest emails from the pricing team'],
  ['unit', 'Is a 3 hour delay covered by the travel policy?', 'Is a 3 day delay covered by the travel policy?'],
  ['unit', 'Estimate the premium for a vehicle doing 12,000 miles a year.', 'Estimate the premium for a vehicle doing 12,000 km a year.'],
  ['unit', 'Our storage grew by 40 GB this quarter; explain why.', 'Our storage grew by 40 TB this quarter; explain why.'],
  ['currency', 'Approve the $2,000 goodwill payment to Priya Nair.', 'Approve the €2,000 goodwill payment to Priya Nair.'],
  ['currency', 'Add 5,000 GBP of claim costs to the monthly report.', 'Add 5,000 USD of claim costs to the monthly report.'],
  ['antonym', 'Does the policy cover flood damage?', 'Does the policy exclude flood damage?'],
  ['antonym', 'Should we accept the settlement offer from Harbour Freight Ltd?', 'Should we refuse the settlement offer from Harbour Freight Ltd?'],
  ['antonym', 'List the customers whose premiums went up at renewal.', 'List the customers whose premiums went down at renewal.'],
  ['antonym', 'Show the oldest unresolved complaints.', 'Show the newest unresolved complaints.'],
  ['antonym', 'Was the claim submitted before the policy started?', 'Was the claim submitted after the policy started?'],
  ['antonym', 'Sort the claims by amount in ascending order.', 'Sort the claims by amount in descending order.'],
  ['antonym', "Is the customer's credit score above average?", "Is the customer's credit score below average?"],
  ['antonym', "Did the claimant's symptoms improve after treatment?", "Did the claimant's symptoms worsen after treatment?"],
  ['antonym', 'Open a new case for the complaint from Priya Nair.', 'Close the case for the complaint from Priya Nair.'],
  ['antonym', 'How do I add a named driver to policy MP-44821?', 'How do I remove a named driver from policy MP-44821?'],
  ['topic', 'Mark the invoice from Orion Supplies as paid.', 'Mark the invoice from Orion Supplies as disputed.'],
  ['topic', 'Explain the difference between a deductible and a co-payment.', 'Explain the difference between a deductible and a premium.'],
  ['topic', 'Convert this table of claim reserves into CSV.', 'Convert this table of claim reserves into JSON.'],
  ['topic', 'Extract the VIN and registration number from the attached V5C document.', 'Extract the VIN and mileage from the attached V5C document.'],
  ['topic', 'Who is the account manager for Northgate Foods?', 'Who is the claims handler for Northgate Foods?'],
  ['topic', "Summarise the customer's last three emails.", "Summarise the broker's last three emails."],
  ['topic', 'What documents do we need to settle a theft claim?', 'What documents do we need to settle a fire claim?'],
  ['topic', 'Draft a renewal reminder for policy HX-55102.', 'Draft a cancellation notice for policy HX-55102.'],
  ['topic', 'What is the claims ratio for the motor book?', 'What is the expense ratio for the motor book?'],
  ['topic', 'Draft a renewal reminder for policy HX-55102.', 'Draft a renewal reminder for policy HX-55102 in Welsh.'],
  ['topic', 'List open complaints.', 'List open complaints older than 30 days.'],
  ['topic', 'Summarise the call transcript.', 'Summarise the call transcript and flag any vulnerability indicators.'],
  ['topic', 'Which team handles subrogation claims?', 'Which team handles liability claims?'],
  ['topic', 'Is the vehicle a total loss?', 'Is the vehicle a partial loss?'],
  ['topic', 'Does the policyholder live at the risk address?', 'Does the policyholder work at the risk address?'],
  ['topic', 'Estimate the repair cost for the rear bumper.', 'Estimate the repair cost for the front bumper.'],
  ['topic', 'Is the driver covered to drive other cars?', 'Is the driver covered to drive abroad?'],
  ['topic', 'Who approved the payment to Orion Supplies?', 'Who requested the payment to Orion Supplies?'],
];

// ------------------------------------------------------------------ slots

const FIRST_NAMES = ['Maria', 'James', 'Aisha', 'Chen', 'Olivia', 'Rahul', 'Sofia', 'Liam', 'Fatima', 'Noah', 'Hannah', 'Diego', 'Yuki', 'Emma', 'Kwame', 'Elena', 'Omar', 'Grace', 'Lukas', 'Priya', 'Marco', 'Anna', 'Tom', 'Zara'];
const LAST_NAMES = ['Lopez', 'Smith', 'Khan', 'Wei', 'Brown', 'Patel', 'Rossi', 'Murphy', 'Haddad', 'Johnson', 'Schmidt', 'Garcia', 'Tanaka', 'Dubois', 'Mensah', 'Novak', 'Farouk', 'Okafor', 'Weber', 'Sharma', 'Bianchi', 'Kowalski', 'Walsh', 'Ali'];
const COMPANIES = ['Acme Logistics', 'Globex', 'Initech', 'Northwind Traders', 'Contoso', 'Umbrella Insurance', 'Stark Industries', 'Wayne Enterprises', 'Hooli', 'Vandelay Industries', 'Cyberdyne Systems', 'Tyrell Corporation', 'Wonka Foods', 'Oceanic Airlines', 'Pied Piper', 'Massive Dynamic', 'Dunder Mifflin', 'Soylent Group', 'Bluth Company', 'Prestige Worldwide'];
const DOMAINS = ['acme.com', 'globex.io', 'initech.co.uk', 'northwind.com', 'contoso.com', 'hooli.xyz'];
const CITIES = ['London', 'Paris', 'Berlin', 'Madrid', 'Milan', 'Dublin', 'Amsterdam', 'Lisbon', 'Vienna', 'Warsaw', 'Zurich', 'Stockholm', 'New York', 'Chicago', 'Toronto', 'Singapore', 'Tokyo', 'Sydney'];
const COUNTRIES = ['France', 'Germany', 'Spain', 'Italy', 'Ireland', 'Poland', 'Brazil', 'India', 'Japan', 'Canada', 'Mexico', 'Singapore', 'Australia', 'Switzerland', 'Norway'];
const LANGUAGES = ['French', 'German', 'Spanish', 'Italian', 'Portuguese', 'Dutch', 'Japanese', 'Polish'];
const DEPARTMENTS = ['marketing', 'claims', 'legal', 'finance', 'engineering', 'sales', 'procurement', 'underwriting'];
const PLANS = ['Premium', 'Business', 'Enterprise', 'Starter', 'Growth', 'Team'];
const PRODUCTS = ['Fleet Motor', 'Commercial Property', 'Cyber Liability', 'Professional Indemnity', 'Marine Cargo', 'Public Liability'];
const STREETS = ['Station Road', 'High Street', 'Church Lane', 'Mill Road', 'Victoria Street', 'Park Avenue', 'King Street', 'Riverside Drive'];
const NUMBER_NAMES = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve'];
const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const WEEKDAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday'];
const RELATIVE_DATES = ['yesterday', 'today', 'tomorrow', 'next Monday', 'last Friday', 'next week', 'last week'];
const UNIT_FAMILIES: readonly (readonly string[])[] = [['kg', 'lb'], ['km', 'miles'], ['litre', 'gallon'], ['GB', 'MB'], ['tonne', 'kg']];
const REVIEWS: readonly (readonly [string, string])[] = [
  ['The delivery was fast and the driver was polite.', 'The delivery was not fast and the driver was polite.'],
  ['The claims process was easy and I was paid within a week.', 'The claims process was not easy and I was paid within a week.'],
  ['Support answered quickly and fixed my billing issue.', 'Support answered quickly but never fixed my billing issue.'],
  ['The app is great, I can file a claim in two minutes.', 'The app is great, but I cannot file a claim in two minutes.'],
  ['My adjuster was helpful and kept me updated.', 'My adjuster was unhelpful and kept me updated.'],
  ['Renewal was simple and the price went down.', 'Renewal was simple but the price did not go down.'],
  ['The agent explained every exclusion clearly.', 'The agent did not explain every exclusion clearly.'],
  ['I would recommend this insurer to my friends.', 'I would never recommend this insurer to my friends.'],
];
const MAILS: readonly (readonly [string, string])[] = [
  ['I was charged twice for my subscription this month.', 'I was not charged twice for my subscription this month, only once.'],
  ['I can log in to the portal but the invoices page is blank.', 'I cannot log in to the portal and the invoices page is blank.'],
  ['Please update the billing address on my account to our new office.', 'Please do not update the billing address on my account to our new office yet.'],
  ['The export to CSV fails with a timeout error every morning.', 'The export to CSV no longer fails with a timeout error every morning.'],
  ['Hi, my car was hit while parked outside my house last night, can I claim?', 'Hi, my car was not hit while parked, it was damaged by hail last night, can I claim?'],
  ['Our direct debit was taken on the wrong date again.', 'Our direct debit was not taken on the wrong date this time.'],
  ['The two-factor code never arrives on my phone.', 'The two-factor code always arrives on my phone but is rejected.'],
  ['We want to add three new users to our team account.', 'We do not want to add three new users to our team account.'],
];
const MESSAGES = [
  'Your claim has been received and an adjuster will contact you within two business days.',
  'Please send a copy of your driving licence and the police report.',
  'Your policy renews next month; no action is needed unless your details have changed.',
  'We are sorry for the delay and have credited your account.',
  'The inspection is booked for Tuesday morning between nine and twelve.',
  'Your payment failed; please update your card details to avoid cancellation.',
];

type Slots = Record<string, string>;
type DateParts = { y: number; m: number; d: number; style: number };

function moneyText(amount: number, currency: string, style: number): string {
  const cents = amount % 1 !== 0;
  const n = amount.toLocaleString('en-US', { minimumFractionDigits: cents ? 2 : 0, maximumFractionDigits: 2 });
  const symbol: Record<string, string> = { USD: '$', EUR: '€', GBP: '£' };
  const name: Record<string, string> = { USD: 'dollars', EUR: 'euros' };
  if (style === 0) return `${symbol[currency]}${n}`;
  if (style === 1) return `${currency} ${n}`;
  return currency === 'GBP' ? `£${n}` : `${n} ${name[currency]}`;
}

function dateText(p: DateParts): string {
  const month = MONTH_NAMES[p.m - 1]!;
  switch (p.style) {
    case 0:
      return `${p.y}-${String(p.m).padStart(2, '0')}-${String(p.d).padStart(2, '0')}`;
    case 1:
      return `${month} ${p.d}`;
    case 2:
      return `${p.d} ${month} ${p.y}`;
    case 3:
      return `${String(p.d).padStart(2, '0')}/${String(p.m).padStart(2, '0')}/${p.y}`;
    case 4:
      return WEEKDAY_NAMES[p.d % WEEKDAY_NAMES.length]!;
    default:
      return RELATIVE_DATES[p.d % RELATIVE_DATES.length]!;
  }
}

function digitChange(r: Random, id: string): string {
  const positions = [...id].map((c, i) => (/\d/.test(c) ? i : -1)).filter((i) => i >= 0);
  const at = r.pick(positions.slice(-3));
  const old = Number(id[at]);
  const next = (old + r.int(1, 9)) % 10;
  return id.slice(0, at) + String(next) + id.slice(at + 1);
}

class SlotMaker {
  constructor(private readonly r: Random) {}

  person(): string {
    return `${this.r.pick(FIRST_NAMES)} ${this.r.pick(LAST_NAMES)}`;
  }

  fill(): { slots: Slots; money: { amount: number; currency: string; style: number }; date: DateParts; n: number; qty: { value: number; family: number; unit: number } } {
    const r = this.r;
    const money = { amount: r.chance(0.3) ? r.int(5000, 900000) / 100 : r.int(1, 400) * r.pick([5, 25, 50, 100]), currency: r.pick(['USD', 'EUR', 'GBP']), style: r.int(0, 2) };
    const date: DateParts = { y: r.pick([2024, 2025, 2026]), m: r.int(1, 12), d: r.int(1, 28), style: r.weighted([[0, 2], [1, 3], [2, 2], [3, 1], [4, 1], [5, 1]] as const) };
    const n = r.int(2, 9);
    const qty = { value: r.pick([2, 5, 12, 20, 25, 40, 150, 300]), family: r.int(0, UNIT_FAMILIES.length - 1), unit: 0 };
    qty.unit = r.int(0, UNIT_FAMILIES[qty.family]!.length - 1);
    const [review, reviewNeg] = r.pick(REVIEWS);
    const [mail, mailNeg] = r.pick(MAILS);
    const first = r.pick(FIRST_NAMES).toLowerCase();
    const last = r.pick(LAST_NAMES).toLowerCase();
    const slots: Slots = {
      claim: `CLM-${r.int(10000, 99999)}`,
      policy: r.chance(0.5) ? `POL-${r.int(100000, 999999)}` : `HO-${r.pick([2023, 2024, 2025])}-${r.int(1000, 9999)}`,
      customer: r.chance(0.6) ? `CUST-${r.int(1000, 9999)}` : `C${r.int(100000, 999999)}`,
      invoice: `INV${r.pick([2024, 2025])}-${r.int(10, 999)}`,
      ticket: r.chance(0.5) ? `#${r.int(10000, 99999)}` : `TCK-${r.int(10000, 99999)}`,
      order: `ORD-${r.int(1000000, 9999999)}`,
      patient: `MRN-${r.int(100000, 999999)}`,
      email: `${first}.${last}@${r.pick(DOMAINS)}`,
      money: moneyText(money.amount, money.currency, money.style),
      pct: r.chance(0.8) ? `${r.int(2, 40)}%` : `${r.int(2, 40)} percent`,
      n: String(n),
      nw: NUMBER_NAMES[n]!,
      qty: `${qty.value} ${UNIT_FAMILIES[qty.family]![qty.unit]}`,
      date: dateText(date),
      time: `${r.int(8, 17) % 12 || 12}:${r.pick(['00', '15', '30', '45'])} ${r.chance(0.5) ? 'am' : 'pm'}`,
      person: this.person(),
      company: r.pick(COMPANIES),
      city: r.pick(CITIES),
      city2: r.pick(CITIES),
      country: r.pick(COUNTRIES),
      lang: r.pick(LANGUAGES),
      dept: r.pick(DEPARTMENTS),
      plan: r.pick(PLANS),
      product: r.pick(PRODUCTS),
      quarter: `Q${r.int(1, 4)} ${r.pick([2024, 2025])}`,
      month: r.pick(MONTH_NAMES),
      year: String(r.pick([2023, 2024, 2025, 2026])),
      years: String(r.int(2, 10)),
      age: String(r.int(18, 80)),
      notice: `${r.pick([14, 30, 60, 90])} days'`,
      address: `${r.int(1, 240)} ${r.pick(STREETS)}, ${r.pick(CITIES)}`,
      review,
      reviewNeg,
      review2: r.pick(REVIEWS.filter(([x]) => x !== review))[0],
      mail,
      mailNeg,
      mail2: r.pick(MAILS.filter(([x]) => x !== mail))[0],
      message: r.pick(MESSAGES),
      message2: '',
    };
    slots.message2 = r.pick(MESSAGES.filter((m) => m !== slots.message));
    while (slots.city2 === slots.city) slots.city2 = r.pick(CITIES);
    return { slots, money, date, n, qty };
  }
}

function fill(text: string, slots: Slots): string {
  return text.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = slots[name];
    if (value === undefined) throw new Error(`no slot ${name}`);
    return value;
  });
}

const slotNames = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);

/** Which adversarial kind each slot can produce. */
const SLOT_KINDS: Record<string, PairKind[]> = {
  claim: ['id'], policy: ['id'], customer: ['id'], invoice: ['id'], ticket: ['id'], order: ['id'], patient: ['id'], email: ['id'],
  money: ['number', 'currency'], pct: ['number'], n: ['number'], nw: ['number'], qty: ['number', 'unit'], years: ['number'],
  age: ['number'], notice: ['number'], year: ['date'], date: ['date'], time: ['date'], month: ['date'], quarter: ['date'],
  person: ['entity'], company: ['entity'], city: ['entity'], country: ['entity'], lang: ['entity'], dept: ['entity'],
  plan: ['entity'], product: ['entity'], address: ['number'],
};

/** A new value for one slot that makes the request different in the way `kind` names. */
function perturb(r: Random, maker: SlotMaker, kind: PairKind, slot: string, base: ReturnType<SlotMaker['fill']>): Slots | null {
  const s = { ...base.slots };
  const changed = (value: string) => {
    if (value === base.slots[slot]) return null;
    s[slot] = value;
    return s;
  };
  switch (kind) {
    case 'id':
      if (slot === 'email') {
        const [local, domain] = s.email!.split('@') as [string, string];
        return changed(r.chance(0.5) ? `${local}@${r.pick(DOMAINS.filter((d) => d !== domain))}` : `${r.pick(FIRST_NAMES).toLowerCase()}.${local.split('.')[1]}@${domain}`);
      }
      return changed(digitChange(r, s[slot]!));
    case 'number': {
      if (slot === 'money') {
        const m = base.money;
        const amount = r.chance(0.5) ? Math.round(m.amount * r.pick([0.5, 0.9, 1.1, 1.2, 2, 10]) * 100) / 100 : m.amount + r.pick([1, 5, 10, 100, 1000]);
        return changed(moneyText(amount, m.currency, m.style));
      }
      if (slot === 'n' || slot === 'nw') {
        let n = base.n;
        while (n === base.n) n = r.int(2, 9);
        s.n = String(n);
        s.nw = NUMBER_NAMES[n]!;
        return s;
      }
      if (slot === 'qty') {
        const q = base.qty;
        const value = r.pick([2, 5, 12, 20, 25, 40, 150, 300].filter((v) => v !== q.value));
        return changed(`${value} ${UNIT_FAMILIES[q.family]![q.unit]}`);
      }
      if (slot === 'address') return changed(s.address!.replace(/^\d+/, (d) => String(Number(d) + r.int(1, 9))));
      if (slot === 'notice') return changed(s.notice!.replace(/^\d+/, (d) => String(r.pick([14, 30, 60, 90].filter((v) => v !== Number(d))))));
      return changed(s[slot]!.replace(/\d+/, (d) => String(Number(d) + r.int(1, 5))));
    }
    case 'currency': {
      const m = base.money;
      return changed(moneyText(m.amount, r.pick(['USD', 'EUR', 'GBP'].filter((c) => c !== m.currency)), m.style));
    }
    case 'unit': {
      const q = base.qty;
      const family = UNIT_FAMILIES[q.family]!;
      return changed(`${q.value} ${family[(q.unit + 1) % family.length]}`);
    }
    case 'date': {
      if (slot === 'year') return changed(String(Number(s.year) + r.pick([-1, 1])));
      if (slot === 'month') return changed(r.pick(MONTH_NAMES.filter((m) => m !== s.month)));
      if (slot === 'quarter') return changed(s.quarter!.replace(/Q(\d)/, (_, q: string) => `Q${(Number(q) % 4) + 1}`));
      if (slot === 'time') return changed(s.time!.replace(/^\d+/, (h) => String((Number(h) % 12) + 1)));
      const d = base.date;
      const shifted = { ...d, d: d.style >= 4 ? d.d + r.int(1, 4) : ((d.d + r.int(1, 9) - 1) % 28) + 1 };
      if (d.style < 4 && r.chance(0.25)) shifted.m = (d.m % 12) + 1;
      return changed(dateText(shifted));
    }
    case 'entity': {
      if (slot === 'person') {
        const [first, last] = s.person!.split(' ') as [string, string];
        const roll = r.int(0, 2);
        if (roll === 0) return changed(`${r.pick(FIRST_NAMES.filter((f) => f !== first))} ${last}`);
        if (roll === 1) return changed(`${first} ${r.pick(LAST_NAMES.filter((l) => l !== last))}`);
        return changed(maker.person());
      }
      const pools: Record<string, readonly string[]> = { company: COMPANIES, city: CITIES, country: COUNTRIES, lang: LANGUAGES, dept: DEPARTMENTS, plan: PLANS, product: PRODUCTS };
      const pool = pools[slot]!;
      return changed(r.pick(pool.filter((v) => v !== s[slot])));
    }
    default:
      return null;
  }
}

// ------------------------------------------------------------------ same-meaning edits

const KEYBOARD: Record<string, string> = {
  a: 'qs', b: 'vn', c: 'xv', d: 'sf', e: 'wr', f: 'dg', g: 'fh', h: 'gj', i: 'uo', j: 'hk', k: 'jl', l: 'k', m: 'n', n: 'bm',
  o: 'ip', p: 'o', q: 'w', r: 'et', s: 'ad', t: 'ry', u: 'yi', v: 'cb', w: 'qe', x: 'zc', y: 'tu', z: 'x',
};

/** One keyboard slip inside a word of five letters or more (never in a slot). */
function typo(r: Random, template: string): string {
  const words = [...template.matchAll(/(?<![{\w])[A-Za-z]{5,}(?![}\w])/g)];
  const target = r.pick(words);
  const w = target[0];
  const i = r.int(1, w.length - 2);
  let out: string;
  switch (r.int(0, 3)) {
    case 0:
      out = w.slice(0, i) + w[i + 1] + w[i] + w.slice(i + 2);
      break;
    case 1:
      out = w.slice(0, i) + w.slice(i + 1);
      break;
    case 2:
      out = w.slice(0, i) + w[i] + w.slice(i);
      break;
    default: {
      const near = KEYBOARD[w[i]!.toLowerCase()] ?? 'e';
      out = w.slice(0, i) + near[r.int(0, near.length - 1)] + w.slice(i + 1);
    }
  }
  if (out === w) out = w.slice(0, i) + w.slice(i + 1);
  return template.slice(0, target.index) + out + template.slice(target.index + w.length);
}

function caseVariant(r: Random, text: string): string {
  switch (r.int(0, 3)) {
    case 0:
      return text.toLowerCase();
    case 1:
      return text.toUpperCase();
    case 2:
      return text.replace(/(^|\s)([a-z])/g, (_, space: string, c: string) => space + c.toUpperCase());
    default:
      return (text[0]!.toLowerCase() + text.slice(1)).replace(/[.?!]+$/, '');
  }
}

// ------------------------------------------------------------------ generation

export const PAIR_COUNTS: Readonly<Record<PairKind, number>> = {
  paraphrase: 220, reorder: 70, typo: 80, case: 60,
  number: 70, id: 60, date: 60, negation: 70, entity: 60, unit: 30, currency: 35, antonym: 70, topic: 110,
};

export function generatePairs(seed = 20_250_301): CachePair[] {
  const r = new Random(seed);
  const maker = new SlotMaker(r);
  const pairs: CachePair[] = [];
  const seen = new Set<string>();
  const add = (kind: PairKind, a: string, b: string) => {
    const key = `${a}\u0000${b}`;
    if (a === b || seen.has(key)) return false;
    seen.add(key);
    pairs.push({ id: '', a, b, same: (SAME_KINDS as readonly string[]).includes(kind), kind });
    return true;
  };
  for (const kind of [...SAME_KINDS, ...DIFFERENT_KINDS]) {
    let made = 0;
    let attempts = 0;
    while (made < PAIR_COUNTS[kind]) {
      if (++attempts > 100_000) throw new Error(`cannot make ${PAIR_COUNTS[kind]} ${kind} pairs`);
      const t = r.pick(TEMPLATES);
      const base = maker.fill();
      let a: string | null = null;
      let b: string | null = null;
      switch (kind) {
        case 'paraphrase': {
          const i = r.int(0, t.forms.length - 1);
          let j = r.int(0, t.forms.length - 1);
          while (j === i) j = r.int(0, t.forms.length - 1);
          a = fill(t.forms[i]!, base.slots);
          const other = { ...base.slots };
          // Now and then the same date written another way (ISO vs `14 March 2025`).
          if (base.date.style === 0 && r.chance(0.3)) other.date = dateText({ ...base.date, style: 2 });
          b = fill(t.forms[j]!, other);
          break;
        }
        case 'reorder':
          if (!t.reorder) continue;
          a = fill(t.forms[0]!, base.slots);
          b = fill(r.pick(t.reorder), base.slots);
          break;
        case 'typo': {
          const form = r.pick(t.forms);
          a = fill(form, base.slots);
          let slipped = typo(r, form);
          if (r.chance(0.25)) slipped = typo(r, slipped);
          b = fill(slipped, base.slots);
          break;
        }
        case 'case':
          a = fill(r.pick(t.forms), base.slots);
          b = caseVariant(r, a);
          break;
        case 'negation':
        case 'antonym':
        case 'topic': {
          const list = t[kind];
          if (!list) continue;
          const [x, y] = r.pick(list);
          [a, b] = r.chance(0.5) ? [fill(x, base.slots), fill(y, base.slots)] : [fill(y, base.slots), fill(x, base.slots)];
          break;
        }
        default: {
          const form = r.pick(t.forms);
          const candidates = slotNames(form).filter((s) => SLOT_KINDS[s]?.includes(kind));
          if (candidates.length === 0) continue;
          const changed = perturb(r, maker, kind, r.pick(candidates), base);
          if (!changed) continue;
          a = fill(form, base.slots);
          // Mostly the same wording with one fact changed; sometimes reworded too.
          b = fill(r.chance(0.25) ? r.pick(t.forms) : form, changed);
        }
      }
      if (a !== null && b !== null && add(kind, a, b)) made++;
    }
  }
  pairs.forEach((p, i) => (p.id = `p${String(i + 1).padStart(4, '0')}`));
  HOLDOUT.forEach(([kind, a, b], i) =>
    pairs.push({ id: `h${String(i + 1).padStart(3, '0')}`, a, b, same: (SAME_KINDS as readonly string[]).includes(kind), kind, split: 'holdout' }),
  );
  return pairs;
}

/** `count` distinct prompts from the templates, for filling a cache in the latency benchmark. */
export function corpusPrompts(count: number, seed = 7): string[] {
  const r = new Random(seed);
  const maker = new SlotMaker(r);
  const out = new Set<string>();
  while (out.size < count) {
    const t = r.pick(TEMPLATES);
    const all = [...t.forms, ...(t.reorder ?? []), ...(t.negation ?? []).flat(), ...(t.antonym ?? []).flat(), ...(t.topic ?? []).flat()];
    out.add(fill(r.pick(all), maker.fill().slots));
  }
  return [...out];
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const pairs = generatePairs();
  const counts: Record<string, number> = {};
  for (const p of pairs) counts[p.kind] = (counts[p.kind] ?? 0) + 1;
  const file = path.join(path.dirname(fileURLToPath(import.meta.url)), 'cache-pairs.json');
  const body = [
    '{',
    `  "generatedBy": "npx tsx bench/data/make-cache-pairs.ts",`,
    `  "counts": ${JSON.stringify(counts)},`,
    '  "pairs": [',
    pairs.map((p) => `    ${JSON.stringify(p)}`).join(',\n'),
    '  ]',
    '}',
    '',
  ].join('\n');
  writeFileSync(file, body);
  const same = pairs.filter((p) => p.same).length;
  console.log(`wrote ${pairs.length} pairs (${same} same, ${pairs.length - same} different) to ${path.relative(process.cwd(), file)}`);
}
