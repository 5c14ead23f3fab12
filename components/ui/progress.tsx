/** A budget bar: green below the first alert threshold, amber to the second, red past it. */
export function UsageBar({ bps, thresholds = [0.8, 0.95], label }: { bps: number | null; thresholds?: number[]; label: string }) {
  const ratio = bps === null ? 0 : bps / 10_000;
  const [warn = 0.8, critical = 0.95] = thresholds;
  const colour = ratio >= critical ? 'bg-rose-500' : ratio >= warn ? 'bg-amber-500' : 'bg-emerald-500';
  return (
    <div
      className="h-2 w-full overflow-hidden rounded-full bg-slate-100"
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.round(Math.min(ratio, 1) * 100)}
    >
      <div className={`h-full rounded-full ${colour}`} style={{ width: `${Math.min(ratio, 1) * 100}%` }} />
    </div>
  );
}
