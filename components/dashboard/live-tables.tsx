import type { ReactNode } from 'react';
import type { BusySession, TopKey } from '@/db/queries/live';
import type { LedgerRow } from '@/db/queries/ledger';
import { formatCount, formatTime, formatUsd, taskLabel } from '@/lib/format';
import { EmptyState } from '@/components/ui/card';

const TIER_STYLE: Record<string, string> = {
  cache: 'bg-violet-50 text-violet-700 ring-violet-200',
  small: 'bg-teal-50 text-teal-700 ring-teal-200',
  frontier: 'bg-blue-50 text-blue-700 ring-blue-200',
};

export function TierBadge({ tier }: { tier: string }) {
  return (
    <span className={`inline-flex rounded-md px-1.5 py-0.5 text-[11px] font-medium ring-1 ring-inset ${TIER_STYLE[tier] ?? 'bg-slate-50 text-slate-600 ring-slate-200'}`}>
      {tier}
    </span>
  );
}

interface CallsSpendRow {
  key: string;
  /** The first cell: what the row is, over a line of detail. */
  name: ReactNode;
  requests: number;
  costNano: string;
  /** Calls at or past this count are shown in red (a runaway session). */
  alarmAt?: number;
}

/**
 * A name, its calls and its spend, in a third-of-the-page card: fixed layout,
 * so the number columns keep their width and long names wrap.
 */
function CallsSpendTable({ testId, nameHeader, spendHeader, rows }: { testId: string; nameHeader: string; spendHeader: string; rows: CallsSpendRow[] }) {
  return (
    <table className="w-full table-fixed text-sm" data-testid={testId}>
      <colgroup>
        <col />
        <col className="w-14" />
        <col className="w-24" />
      </colgroup>
      <thead>
        <tr className="text-left text-xs text-slate-500">
          <th className="pb-2 pr-3 font-medium">{nameHeader}</th>
          <th className="pb-2 pl-2 text-right font-medium whitespace-nowrap">Calls</th>
          <th className="pb-2 pl-2 text-right font-medium whitespace-nowrap">{spendHeader}</th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {rows.map((r) => (
          <tr key={r.key}>
            <td className="py-2 pr-3">{r.name}</td>
            <td className={`tabular py-2 pl-2 text-right ${r.alarmAt !== undefined && r.requests >= r.alarmAt ? 'font-semibold text-rose-600' : 'text-slate-600'}`}>
              {formatCount(r.requests)}
            </td>
            <td className="tabular py-2 pl-2 text-right font-semibold whitespace-nowrap text-slate-900">{formatUsd(r.costNano)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function TopKeysTable({ keys }: { keys: TopKey[] }) {
  if (keys.length === 0) return <EmptyState>No keyed calls today.</EmptyState>;
  const rows = keys.map((k) => ({
    key: k.apiKeyId,
    requests: k.requests,
    costNano: k.costNano,
    name: (
      <>
        <div className="font-medium break-words text-slate-800">{k.name}</div>
        <div className="text-[11px] text-slate-500">
          {k.departmentName ?? 'no department'} · <span className="font-mono text-slate-400">{k.prefix}…</span>
        </div>
      </>
    ),
  }));
  return <CallsSpendTable testId="top-keys" nameHeader="Key · department" spendHeader="Spend today" rows={rows} />;
}

export function BusySessionsTable({ sessions }: { sessions: BusySession[] }) {
  if (sessions.length === 0) return <EmptyState>No agent sessions in the last hour.</EmptyState>;
  // Session ids are long and unbreakable: they wrap anywhere.
  const rows = sessions.map((s) => ({
    key: s.sessionId,
    requests: s.requests,
    costNano: s.costNano,
    alarmAt: 100,
    name: (
      <>
        <div className="font-mono text-xs break-all text-slate-800" title={s.sessionId}>
          {s.sessionId}
        </div>
        <div className="text-[11px] text-slate-500">
          {s.agent ?? 'unknown agent'} · {s.departmentName ?? '—'}
          {s.refused > 0 ? <span className="text-rose-600"> · {formatCount(s.refused)} refused</span> : null}
        </div>
      </>
    ),
  }));
  return <CallsSpendTable testId="busy-sessions" nameHeader="Session" spendHeader="Spend" rows={rows} />;
}

export function RecentCallsTable({ rows }: { rows: LedgerRow[] }) {
  if (rows.length === 0) return <EmptyState>No calls yet.</EmptyState>;
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-[13px]" data-testid="recent-calls">
        <thead>
          <tr className="text-left text-xs text-slate-500">
            <th className="pb-2 pr-3 font-medium whitespace-nowrap">Time (UTC)</th>
            <th className="pb-2 pr-3 font-medium">Model</th>
            <th className="pb-2 pr-3 font-medium">Agent · task</th>
            <th className="pb-2 pl-3 text-right font-medium whitespace-nowrap">In / out</th>
            <th className="pb-2 pl-3 text-right font-medium whitespace-nowrap">Cost</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map((r) => (
            <tr key={r.id} data-request-id={r.id} className={r.status !== 'ok' ? 'bg-rose-50/50' : undefined}>
              <td className="tabular whitespace-nowrap py-2 pr-3 text-xs text-slate-500">{formatTime(r.occurredAt).replace(' UTC', '')}</td>
              <td className="whitespace-nowrap py-2 pr-3" title={r.routeReason ?? undefined}>
                <span className="mr-2 text-slate-800">{r.modelName}</span>
                <TierBadge tier={r.tier} />
                {r.status !== 'ok' && <span className="ml-2 text-[11px] font-medium text-rose-600">{r.httpStatus ?? r.status}</span>}
              </td>
              <td className="max-w-40 py-2 pr-3">
                <div className="truncate text-slate-700" title={r.agent ?? undefined}>{r.agent ?? '—'}</div>
                <div className="truncate text-[11px] text-slate-500">{r.taskType ? taskLabel(r.taskType) : 'no task label'}</div>
              </td>
              <td className="tabular whitespace-nowrap py-2 pl-3 text-right text-slate-600">
                {formatCount(r.inputTokens + r.cachedInputTokens + r.cacheWrite5mTokens + r.cacheWrite1hTokens)} /{' '}
                {formatCount(r.outputTokens + r.reasoningTokens)}
              </td>
              <td className="tabular whitespace-nowrap py-2 pl-3 text-right font-medium text-slate-900">
                {r.priceStatus === 'unpriced' ? <span className="text-amber-600">unpriced</span> : formatUsd(r.costNano)}
                {r.tier === 'cache' && BigInt(r.savedNano) > 0n && (
                  <div className="text-[11px] font-normal text-emerald-700">saved {formatUsd(r.savedNano)}</div>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
