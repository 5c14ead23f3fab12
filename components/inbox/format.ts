/** Display helpers for the inbox: USD decimal strings and times relative to the page's clock. */
import { formatUsd } from '@/lib/format';
import { usdToNano } from '@/lib/engine/money';

/** "$1,234.56" from an exact USD decimal string as the admin API returns it (never through a float). */
export function formatUsdDecimal(usd: string): string {
  return formatUsd(usdToNano(usd));
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

function span(ms: number): string {
  if (ms < MINUTE) return `${Math.max(1, Math.floor(ms / 1_000))} s`;
  if (ms < 2 * HOUR) return `${Math.floor(ms / MINUTE)} min`;
  if (ms < 48 * HOUR) return `${Math.floor(ms / HOUR)} h ${Math.floor((ms % HOUR) / MINUTE)} min`;
  return `${Math.floor(ms / (24 * HOUR))} days`;
}

/** "42 min left", or "expired" once the time has passed. */
export function timeLeft(expiresAt: string, nowMs: number): { text: string; expired: boolean; soon: boolean } {
  const ms = Date.parse(expiresAt) - nowMs;
  if (ms <= 0) return { text: 'expired', expired: true, soon: true };
  return { text: `${span(ms)} left`, expired: false, soon: ms < 10 * MINUTE };
}

/** "5 min ago" (or "just now"); the exact UTC time goes in a title. */
export function ago(iso: string, nowMs: number): string {
  const ms = nowMs - Date.parse(iso);
  if (ms < 30_000) return 'just now';
  return `${span(ms)} ago`;
}

export function utc(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}
