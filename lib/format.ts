/** Display formatting shared by server and client components. */
export { formatUsd } from '@/lib/engine/money';

export function formatBps(bps: number | null, options: { signed?: boolean } = {}): string {
  if (bps === null) return '—';
  const pct = bps / 100;
  const text = `${Math.abs(pct) >= 100 ? pct.toFixed(0) : pct.toFixed(1)}%`;
  return options.signed && bps > 0 ? `+${text}` : text;
}

export function formatCount(n: number): string {
  return new Intl.NumberFormat('en-US').format(n);
}

export function formatCompactCount(n: number): string {
  return new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 }).format(n);
}

export function formatTime(iso: string): string {
  return new Date(iso).toISOString().slice(11, 19) + ' UTC';
}

export function formatDate(iso: string): string {
  return new Date(iso).toLocaleDateString('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });
}

export function formatMonth(iso: string): string {
  return new Date(iso).toLocaleDateString('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' });
}

const TASK_LABELS: Record<string, string> = {
  summarize: 'Summaries',
  classify: 'Classification',
  extract: 'Extraction',
  kyc_check: 'KYC checks',
  claims_adjust: 'Claims adjustment',
  underwrite: 'Underwriting',
  support_reply: 'Support replies',
  code: 'Code',
  analysis: 'Analysis',
  other: 'Other',
  unlabelled: 'Unlabelled',
};

/** A task type as people read it: `kyc_check` -> "KYC checks". */
export function taskLabel(task: string): string {
  return TASK_LABELS[task] ?? task.replace(/_/g, ' ');
}
