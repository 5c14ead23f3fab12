/**
 * A per-character answer worked out once: `classify`'s result for each UTF-16
 * code unit, kept in a 64 KB table (one byte each) the first time it is asked.
 * The answers must be small non-zero integers; 0 marks "not asked yet".
 */
export function codeUnitMemo<T extends number>(classify: (code: number) => T): (code: number) => T {
  const answers = new Uint8Array(0x10000);
  return (code) => {
    const known = answers[code]!;
    if (known !== 0) return known as T;
    const answer = classify(code);
    answers[code] = answer;
    return answer;
  };
}
