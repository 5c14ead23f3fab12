import { describe, expect, it } from 'vitest';
import type { TaskType } from '@/lib/engine/enums';
import { inferTask, parseTaskHeader } from '@/lib/engine/router';

const user = (content: string, system?: string) => [...(system ? [{ role: 'system', content: system }] : []), { role: 'user', content }];

describe('inferTask', () => {
  const cases: [string, TaskType, string?][] = [
    ['Summarise the following board minutes in five bullet points.\n\nThe board met on 3 March ...', 'summarize'],
    ['tl;dr?\n\nHi team, the migration slipped a week because the vendor ...', 'summarize'],
    ['Classify this ticket as billing, technical or account. Reply with one word.\n\nMy card was charged twice.', 'classify'],
    ['What is the sentiment of this review: "the app keeps crashing, awful"', 'classify'],
    ['Extract the invoice number, total and due date as JSON.\n\nINVOICE #4471 ... Total due: $1,240.00', 'extract'],
    ['Pull out every date and amount in this contract and give me key-value pairs.', 'extract'],
    ['Run the KYC checks on this customer: passport GB 533210, DOB 1981-02-11, resident in Cyprus.', 'kyc_check'],
    ['Screen Ivan Petrov against the OFAC and EU sanctions lists and flag any PEP exposure.', 'kyc_check'],
    ['Assess the water damage on claim CLM-22-0193 and recommend a payout net of the deductible.', 'claims_adjust'],
    ['Should we approve or deny this claim? The policyholder reports hail damage to the roof.', 'claims_adjust'],
    ['Underwrite this commercial property: 4-storey masonry, sprinklered, prior losses 2 in 5 years. Suggest a premium.', 'underwrite'],
    ['Give this applicant a risk score from 1 to 10 and state the risk class.', 'underwrite'],
    ['Why does this throw?\n```ts\nconst x = items.map(i => i.price).reduce((a, b) => a + b);\n```\nTypeError: Reduce of empty array with no initial value', 'code'],
    ['Refactor this function to avoid the N+1 query:\n\ndef load(ids):\n    return [db.get(i) for i in ids]', 'code'],
    ['Compare our Q3 and Q4 loss ratios by region and explain what is driving the difference.', 'analysis'],
    ['Analyse the trade-offs between self-hosting Llama and buying GPT-5 tokens for 40M tokens a day.', 'analysis'],
    ['Write a reply to this customer who is angry that her refund has not arrived. Be polite and apologise.', 'support_reply'],
    ['Draft a response to the ticket below on behalf of the support team.\n\n"I cannot log in since the update"', 'support_reply'],
    ['Write a haiku about autumn leaves.', 'other'],
    ['Translate "good morning" into Portuguese.', 'other'],
  ];

  it.each(cases)('%s -> %s', (prompt, task) => {
    expect(inferTask(user(prompt)).task).toBe(task);
  });

  it('lets the job verb win over domain nouns', () => {
    expect(inferTask(user('Summarize this claim file for the adjuster. The policyholder reports water damage; deductible $500.')).task).toBe('summarize');
    expect(inferTask(user('Extract the passport number and date of birth from this scan into JSON fields.')).task).toBe('extract');
  });

  it('does not read a format instruction as a support reply', () => {
    expect(inferTask(user('Is this email spam? Reply with yes or no.')).task).toBe('classify');
  });

  it('uses the system prompt, at a lower weight than the instruction', () => {
    expect(inferTask(user('Here is the next case.', 'You are a KYC analyst. Check identity documents and sanctions exposure.')).task).toBe('kyc_check');
    expect(inferTask(user('Summarize this case in three lines.', 'You are a claims assistant for Acme Insurance.')).task).toBe('summarize');
  });

  it('reads the last user message, not earlier turns', () => {
    const messages = [
      { role: 'user', content: 'Refactor this Python function for me.' },
      { role: 'assistant', content: 'Done.' },
      { role: 'user', content: 'Now summarise what you changed in two sentences.' },
    ];
    expect(inferTask(messages).task).toBe('summarize');
  });

  it('reads content parts, stack traces without fences, and code punctuation', () => {
    expect(inferTask([{ role: 'user', content: [{ type: 'text', text: 'Classify the intent of this message' }] }]).task).toBe('classify');
    expect(inferTask(user('Traceback (most recent call last):\n  File "app.py", line 3\nKeyError: "id"')).task).toBe('code');
    expect(inferTask(user('if (a) { b(); } else { c(); } while (d) { e(); }')).task).toBe('code');
  });

  it('names its features', () => {
    const r = inferTask(user('Please run KYC and sanctions screening'));
    expect(r.features).toContain('kyc');
    expect(r.features).toContain('sanction');
    expect(inferTask(user('x'.repeat(9_000))).features).toContain('long_prompt');
  });

  it('matches keywords at word starts only, whole words where marked', () => {
    // "claimed" starts with the stem "claim"; "bugle" is not "bug"; "premiums" is a premium.
    expect(inferTask(user('She claimed the bugle was lost.')).task).toBe('claims_adjust');
    expect(inferTask(user('Play a bugle call.')).task).toBe('other');
    expect(inferTask(user('Are these premiums fair?')).task).toBe('underwrite');
  });

  it('handles empty and odd input', () => {
    expect(inferTask([]).task).toBe('other');
    expect(inferTask([{ role: 'user', content: null }]).task).toBe('other');
    expect(inferTask(user('🙂 ’’’ ``` ')).task).toBe('code');
    expect(inferTask(user('ÀÉÎ summarise ñ')).task).toBe('summarize');
  });

  it('stays linear on long and adversarial text', () => {
    const long = 'summarsummarsummar '.repeat(50_000) + 'a'.repeat(200_000);
    const start = performance.now();
    inferTask(user(long));
    // Bounded scan: well under a second even on a slow CI machine (the bench measures the real figure).
    expect(performance.now() - start).toBeLessThan(1_000);
  });
});

describe('parseTaskHeader', () => {
  it('accepts task names in any case, with hyphens or spaces', () => {
    expect(parseTaskHeader('kyc_check')).toBe('kyc_check');
    expect(parseTaskHeader('KYC-Check')).toBe('kyc_check');
    expect(parseTaskHeader(' claims adjust ')).toBe('claims_adjust');
    expect(parseTaskHeader('Support-Reply')).toBe('support_reply');
  });

  it('accepts a few common spellings', () => {
    expect(parseTaskHeader('summarise')).toBe('summarize');
    expect(parseTaskHeader('underwriting')).toBe('underwrite');
  });

  it('returns null for unknown or missing values', () => {
    expect(parseTaskHeader(null)).toBeNull();
    expect(parseTaskHeader(undefined)).toBeNull();
    expect(parseTaskHeader('')).toBeNull();
    expect(parseTaskHeader('poetry')).toBeNull();
    expect(parseTaskHeader('kyc__check')).toBeNull();
  });
});
