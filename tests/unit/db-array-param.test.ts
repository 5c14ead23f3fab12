import { describe, expect, it } from 'vitest';
import { arrayParam } from '@/db/client';

describe('arrayParam (array parameters as Postgres array literals)', () => {
  it('quotes every item, escapes quotes and backslashes, and writes null as NULL', () => {
    expect(arrayParam(['a', 'say "hi"', 'C:\\tmp', '\\"', null, undefined, 7, 12n, ''])).toBe('{"a","say \\"hi\\"","C:\\\\tmp","\\\\\\"",NULL,NULL,"7","12",""}');
  });

  it('writes dates as ISO times, and leaves anything but an array alone', () => {
    expect(arrayParam([new Date('2026-11-29T08:00:00.000Z')])).toBe('{"2026-11-29T08:00:00.000Z"}');
    expect(arrayParam([])).toBe('{}');
    expect(arrayParam('x')).toBe('x');
    expect(arrayParam(null)).toBe(null);
  });
});
