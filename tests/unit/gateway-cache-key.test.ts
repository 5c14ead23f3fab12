import { describe, expect, it } from 'vitest';
import { conversationText, requestOptionsHash } from '@/lib/gateway/cache-key';
import { chatRequestSchema } from '@/lib/gateway/request';

const parse = (body: Record<string, unknown>) => chatRequestSchema.parse({ model: 'auto', ...body });
const user = (content: unknown) => ({ role: 'user', content });

describe('the cache key of a chat request', () => {
  it('is the text alone for a plain text call with no options', () => {
    const body = parse({ messages: [user('Summarise: card replaced.')], max_tokens: 50, stream: true, user: 'a', metadata: { k: 'v' } });
    expect(requestOptionsHash(body)).toBe('');
    expect(conversationText(body)).toBe('user: Summarise: card replaced.\n');
  });

  it('tells apart what the text leaves out: attachments, tool calls, names and answer-shaping options', () => {
    const base = [user('What does the form say?')];
    const variants = [
      parse({ messages: [user([{ type: 'text', text: 'What does the form say?' }, { type: 'image_url', image_url: { url: 'a.png' } }])] }),
      parse({ messages: [user([{ type: 'text', text: 'What does the form say?' }, { type: 'image_url', image_url: { url: 'b.png' } }])] }),
      parse({ messages: [user([{ type: 'text', text: 'What does the form say?' }, { type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } }])] }),
      parse({ messages: [{ role: 'user', content: 'What does the form say?', name: 'ops' }] }),
      parse({ messages: [...base, { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'lookup', arguments: '{"id":1}' } }] }, { role: 'tool', tool_call_id: 'c1', content: 'ok' }] }),
      parse({ messages: [...base, { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'lookup', arguments: '{"id":2}' } }] }, { role: 'tool', tool_call_id: 'c1', content: 'ok' }] }),
      parse({ messages: base, response_format: { type: 'json_object' } }),
      parse({ messages: base, stop: ['END'] }),
      parse({ messages: base, seed: 1 }),
      parse({ messages: base, top_p: 0.5 }),
      parse({ messages: base, reasoning_effort: 'high' }),
    ];
    const hashes = variants.map(requestOptionsHash);
    expect(hashes.every((h) => h !== '')).toBe(true);
    expect(new Set(hashes).size).toBe(variants.length);
    // The images' text is the same: only the scope tells them apart.
    expect(conversationText(variants[0]!)).toBe(conversationText(variants[1]!));
  });

  it('does not depend on the order the client wrote the options in', () => {
    expect(requestOptionsHash(parse({ messages: [user('x')], seed: 1, top_p: 0.5 }))).toBe(requestOptionsHash(parse({ top_p: 0.5, messages: [user('x')], seed: 1 })));
  });
});
