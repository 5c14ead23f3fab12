import type { InboxSession } from '@/db/queries/inbox';
import { formatCount } from '@/lib/format';
import { EmptyState } from '@/components/ui/card';
import { ago, formatUsdDecimal, utc } from './format';

/** Sessions the loop guard froze; spend and calls are the ledger's. */
export function FrozenSessionsTable({ sessions, nowMs, canUnfreeze, busyId, onUnfreeze }: {
  sessions: InboxSession[];
  nowMs: number;
  canUnfreeze: boolean;
  busyId: string | null;
  onUnfreeze: (id: string) => void;
}) {
  if (sessions.length === 0) return <EmptyState>No frozen sessions. The loop guard has not stopped any agent.</EmptyState>;
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-sm" data-testid="frozen-sessions">
        <thead>
          <tr className="text-left text-xs text-slate-500">
            <th className="pb-2 pr-3 font-medium">Session</th>
            <th className="pb-2 pr-3 font-medium">Department</th>
            <th className="pb-2 pr-3 font-medium">Why</th>
            <th className="pb-2 pr-3 font-medium whitespace-nowrap">Frozen</th>
            <th className="pb-2 pl-3 text-right font-medium">Calls</th>
            <th className="pb-2 pl-3 text-right font-medium">Spend</th>
            {canUnfreeze && <th className="pb-2 pl-3" aria-label="Actions" />}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {sessions.map((s) => (
            <tr key={s.id} data-testid="frozen-session-row" data-session-id={s.id}>
              <td className="py-2 pr-3">
                <div className="font-mono text-xs text-slate-800">{s.id}</div>
                <div className="text-[11px] text-slate-500">{[s.agent, s.api_key_name].filter(Boolean).join(' · ') || 'unknown caller'}</div>
              </td>
              <td className="py-2 pr-3 text-slate-600">{s.department_name ?? '—'}</td>
              <td className="py-2 pr-3 text-slate-700">{s.frozen_reason ? s.frozen_reason.replace(/_/g, ' ') : '—'}</td>
              <td className="whitespace-nowrap py-2 pr-3 text-xs text-slate-500" title={s.frozen_at ? utc(s.frozen_at) : undefined}>
                {s.frozen_at ? ago(s.frozen_at, nowMs) : '—'}
              </td>
              <td className="tabular py-2 pl-3 text-right text-slate-600">
                {formatCount(s.requests)}
                {s.refused > 0 && <div className="text-[11px] text-rose-600">{formatCount(s.refused)} refused</div>}
              </td>
              <td className="tabular py-2 pl-3 text-right font-semibold text-slate-900">{formatUsdDecimal(s.spend_usd)}</td>
              {canUnfreeze && (
                <td className="py-2 pl-3 text-right">
                  <button
                    type="button"
                    data-testid="unfreeze-button"
                    disabled={busyId === s.id}
                    onClick={() => onUnfreeze(s.id)}
                    className="rounded-lg border border-slate-300 bg-white px-3 py-1 text-xs font-medium text-slate-700 transition hover:bg-slate-50 disabled:cursor-not-allowed disabled:opacity-50"
                  >
                    Unfreeze
                  </button>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
