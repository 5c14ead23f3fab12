/**
 * The semantic cache's guards: the facts each prompt carries, and that every
 * guard kind tells a near-duplicate apart while paraphrases agree.
 */
import { describe, expect, it } from 'vitest';
import { factsOf, guardsMatch, guardVerdict, type GuardKind } from '@/lib/engine/cache';

describe('facts', () => {
  // Facts are listed grouped by kind (unit, id prefix, date form), in order of appearance within a kind.
  it('numbers carry their currency, scale, unit and comparator', () => {
    expect(factsOf('Refund $1,250.00 and €90 on a 5k order').numbers).toEqual(['5000', '90 eur', '1250 usd']);
    expect(factsOf('Refund 1,250 dollars').numbers).toEqual(['1250 usd']);
    expect(factsOf('Refund USD 1,250').numbers).toEqual(['1250 usd']);
    expect(factsOf('a 15% rise, 15 percent').numbers).toEqual(['15 %']);
    expect(factsOf('ship 25 kg, then 25 lb, in 30 business days').numbers).toEqual(['30 business d', '25 kg', '25 lb']);
    expect(factsOf('two hundred and fifty users, three bullets, twenty-five pages').numbers).toEqual(['3', '25 page', '250 user']);
    expect(factsOf('the second payment and the 3rd reminder').numbers).toEqual(['ord:2', 'ord:3']);
    expect(factsOf('claims over $5,000').numbers).toEqual(['>5000 usd']);
    expect(factsOf('more than 9 tickets, fewer than 2 calls, at least 3 days').numbers).toEqual(['>9', '<2', '>=3 d']);
    expect(factsOf('a loan over 5 years').numbers).toEqual(['5 yr']);
    expect(factsOf('European style: 1.250,50 EUR').numbers).toEqual(['1250.5 eur']);
  });

  it('numbers of different units may be reordered, numbers of one unit may not', () => {
    expect(guardsMatch('a $1,000 loan at 5% over 3 years', 'a $1,000 loan over 3 years at 5%')).toBe(true);
    expect(guardVerdict('move 5 from bucket A to bucket B, then 3', 'move 3 from bucket A to bucket B, then 5')).toBe('number');
  });

  it('ids: anything mixing letters and digits, emails, URLs, #numbers', () => {
    const f = factsOf('Claim CLM-10023 for INV2024-77, mail ana.lopez@acme.com, see https://acme.com/x, ticket #48213, id 3f2a9c1e-8b7d-4c2e-9a1f-0b6e5d4c3a21.');
    expect(f.ids).toEqual(['3f2a9c1e-8b7d-4c2e-9a1f-0b6e5d4c3a21', '#48213', 'ana.lopez@acme.com', 'clm-10023', 'https://acme.com/x', 'inv2024-77']);
    expect(f.numbers).toEqual([]);
  });

  it('dates: ISO, numeric, month names, weekdays, relative, periodic and times', () => {
    expect(factsOf('on 2025-03-14').dates).toEqual(['2025-03-14']);
    expect(factsOf('on 14 March 2025').dates).toEqual(['2025-03-14']);
    expect(factsOf('on March 14, 2025').dates).toEqual(['2025-03-14']);
    expect(factsOf('on the 14th of March').dates).toEqual(['--03-14']);
    expect(factsOf('on 14/03/2025').dates).toEqual(['14/3/2025']);
    expect(factsOf('in May 2025').dates).toEqual(['2025-05']);
    expect(factsOf('on Monday at 3pm').dates).toEqual(['t:15:00', 'wd:monday']);
    expect(factsOf('at 10:30 PM').dates).toEqual(['t:22:30']);
    expect(factsOf('yesterday, next week and the last 30 days').dates).toEqual(['rel:yesterday', 'rel:next:week', 'rel:last:30 day']);
    expect(factsOf('a monthly report').dates).toEqual(['every:month']);
    expect(factsOf('You may approve it').dates).toEqual([]);
  });

  it('negations record the cue and the word it negates, contractions and affixes included', () => {
    expect(factsOf('Do not approve claim CLM-1').negations).toEqual(['not:approv']);
    expect(factsOf("Don't approve claim CLM-1").negations).toEqual(['not:approv']);
    expect(factsOf('dont approve claim CLM-1').negations).toEqual(['not:approv']);
    expect(factsOf('The invoice is unpaid').negations).toEqual(factsOf('The invoice is not paid').negations);
    expect(factsOf('Pay it without approval unless the report is missing').negations).toEqual(['not:approv', 'unless:report']);
    expect(factsOf('approve it but never pay it').negations).toEqual(['not:pai']);
  });

  it('polarities, quotes, names and directions', () => {
    expect(factsOf('Should we approve or reject it?').polarity).toEqual(['approve:+', 'approve:-']);
    expect(factsOf('Spend was above budget').polarity).toEqual(['above:+']);
    expect(factsOf('Classify "the agent was helpful" please').quoted).toEqual(['the agent was helpful']);
    expect(factsOf('Draft a reply to Maria Lopez at Acme Corp').entities).toEqual(['acme', 'corp', 'lopez', 'maria']);
    expect(factsOf('DRAFT A REPLY TO MARIA LOPEZ').entities).toEqual([]);
    expect(factsOf('Ship it from Paris to Vienna').directions).toEqual(['from:pari', 'to:vienna']);
    expect(factsOf('Ship it to Vienna').directions).toEqual([]);
  });
});

it('words named like Object.prototype members are plain words', () => {
  const f = factsOf('Explain the constructor, toString, valueOf and __proto__ of hasOwnProperty in 2 lines');
  expect(f.numbers).toEqual(['2']);
  expect(f.dates).toEqual([]);
  expect(f.terms).toEqual(expect.arrayContaining(['constructor', 'tostr', 'valueof', 'hasownproperti']));
});

describe('every guard blocks a near-duplicate', () => {
  const cases: [GuardKind, string, string][] = [
    ['number', 'Refund 15% of the premium on policy PL-2231.', 'Refund 50% of the premium on policy PL-2231.'],
    ['number', 'Give me three reasons the claim was declined.', 'Give me five reasons the claim was declined.'],
    ['number', 'Estimate shipping for a 3 kg parcel.', 'Estimate shipping for a 3 lb parcel.'],
    ['number', 'Approve the $2,000 goodwill payment.', 'Approve the €2,000 goodwill payment.'],
    ['number', 'List customers with more than 5 tickets.', 'List customers with fewer than 5 tickets.'],
    ['id', 'Summarise ticket JIRA-4410 for the release notes.', 'Summarise ticket JIRA-4401 for the release notes.'],
    ['id', 'Send the claim form to tom.baker@northgate.co.uk.', 'Send the claim form to tim.baker@northgate.co.uk.'],
    ['date', 'List the payments that bounced on Friday.', 'List the payments that bounced on Thursday.'],
    ['date', 'Summarise the incidents logged last month.', 'Summarise the incidents logged this month.'],
    ['date', 'Set the policy start date to 01/07/2026.', 'Set the policy start date to 07/01/2026.'],
    ['negation', 'Tell the customer we can cover the hotel costs.', 'Tell the customer we cannot cover the hotel costs.'],
    ['negation', 'Find customers who have ever made a claim.', 'Find customers who have never made a claim.'],
    ['negation', 'Proceed with the payout unless fraud is suspected.', 'Proceed with the payout if fraud is suspected.'],
    ['negation', 'Include the broker in the reply.', "Don't include the broker in the reply."],
    ['polarity', 'Should we accept the settlement offer?', 'Should we refuse the settlement offer?'],
    ['polarity', 'Was the claim submitted before the policy started?', 'Was the claim submitted after the policy started?'],
    ['polarity', 'Sort the claims by amount in ascending order.', 'Sort the claims by amount in descending order.'],
    ['quoted', 'Classify the sentiment: "The agent was helpful."', 'Classify the sentiment: "The agent was rude."'],
    ['direction', 'Transfer the balance from Acme to Globex.', 'Transfer the balance from Globex to Acme.'],
    ['entity', 'Summarise the complaint from Priya Nair about the refund.', 'Summarise the complaint from Priya Shah about the refund.'],
    ['entity', 'Translate the letter into German.', 'Translate the letter into Dutch.'],
    ['terms', 'What is the deductible on policy POL-1?', 'What is the premium on policy POL-1?'],
    ['terms', 'Summarise the call transcript.', 'Summarise the call transcript and flag any vulnerability indicators.'],
    ['terms', 'Estimate the repair cost for the rear bumper.', 'Estimate the repair cost for the front bumper.'],
    ['terms', 'Summarise the adjuster notes.', 'Summarise the medical adjuster notes.'],
  ];
  for (const [guard, a, b] of cases) {
    it(`${guard}: ${b}`, () => {
      expect(guardVerdict(a, b)).toBe(guard);
      expect(guardVerdict(b, a)).not.toBeNull();
      expect(guardsMatch(a, b)).toBe(false);
    });
  }
});

describe('paraphrases pass every guard', () => {
  const cases: [string, string][] = [
    ['Summarise the adjuster notes for claim CLM-1 in 3 bullet points.', 'Could you give me a summary of the adjuster notes on claim CLM-1 in three bullets?'],
    ['List all open complaints assigned to the Leeds team.', 'Show me every open complaint assigned to the Leeds team.'],
    ['Count the claims closed in October 2025 by the Bristol office.', 'How many claims did the Bristol office close in October 2025?'],
    ['Calculate the pro-rata refund for cancelling policy PL-2231 after 97 days.', 'Work out the pro-rata refund if policy PL-2231 is cancelled after 97 days.'],
    ['Is this email a phishing attempt?', 'Could this email be a phishing attempt?'],
    ['Verify the beneficial owners of Harbour Freight Ltd.', 'Verify the beneficial ownres of Harbour Freight Ltd.'],
    ['Which invoices from Orion Supplies are overdue?', 'WHICH INVOICES FROM ORION SUPPLIES ARE OVERDUE?'],
    ['Categorise this email as billing or technical.', 'Categorize this e-mail as billing or technical.'],
  ];
  for (const [a, b] of cases) {
    it(b, () => {
      expect(guardVerdict(a, b)).toBeNull();
      expect(guardsMatch(b, a)).toBe(true);
    });
  }
});
