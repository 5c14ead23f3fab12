'use client';

import { useState } from 'react';
import type { InboxApproval } from '@/db/queries/inbox';
import { taskLabel } from '@/lib/format';
import { EmptyState } from '@/components/ui/card';
import { ago, formatUsdDecimal, timeLeft, utc } from './format';

export type Decision = 'approve' | 'reject';

function Badge({ tone, children }: { tone: 'amber' | 'blue' | 'green' | 'rose' | 'slate'; children: string }) {
  const style = {
    amber: 'bg-amber-50 text-amber-700 ring-amber-200',
    blue: 'bg-blue-50 text-blue-700 ring-blue-200',
    green: 'bg-emerald-50 text-emerald-700 ring-emerald-200',
    rose: 'bg-rose-50 text-rose-700 ring-rose-200',
    slate: 'bg-slate-50 text-slate-600 ring-slate-200',
  }[tone];
  return <span className={`inline-flex rounded-md px-1.5 py-0.5 text-[11px] font-medium ring-1 ring-inset ${style}`}>{children}</span>;
}

/** Who asked: the agent and its key, the department and project, the task and model. */
function Requester({ a }: { a: InboxApproval }) {
  const who = [a.agent ?? a.api_key_name ?? 'unknown caller', a.department_name, a.project_name].filter(Boolean).join(' · ');
  const what = [a.task ? taskLabel(a.task) : 'no task label', a.model].filter(Boolean).join(' on ');
  return (
    <p className="mt-1 text-xs text-slate-500">
      <span className="text-slate-700">{who}</span>
      {a.api_key_prefix && <span className="ml-1 font-mono text-[11px] text-slate-400">{a.api_key_prefix}…</span>}
      <span> · {what}</span>
    </p>
  );
}

function Figure({ label, children, tone = 'text-slate-900' }: { label: string; children: string; tone?: string }) {
  return (
    <div>
      <dt className="text-[11px] font-medium uppercase tracking-wide text-slate-500">{label}</dt>
      <dd className={`tabular mt-0.5 text-sm font-semibold ${tone}`}>{children}</dd>
    </div>
  );
}

export function ApprovalRow({ approval: a, nowMs, canDecide, busy, onDecide }: {
  approval: InboxApproval;
  nowMs: number;
  canDecide: boolean;
  busy: boolean;
  onDecide: (decision: Decision, note: string) => void;
}) {
  const [note, setNote] = useState('');
  const left = timeLeft(a.expires_at, nowMs);
  const buttons = 'rounded-lg px-3 py-1.5 text-sm font-medium transition disabled:cursor-not-allowed disabled:opacity-50';
  return (
    <li data-testid="approval-row" data-approval-id={a.id} className="py-4 first:pt-0 last:pb-0">
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div className="min-w-0 flex-1">
          <div className="flex items-center gap-2">
            {a.escalation ? <Badge tone="amber">Escalation</Badge> : <Badge tone="blue">Cost gate</Badge>}
            <span className="font-mono text-[11px] text-slate-400">{a.id}</span>
          </div>
          <p className="mt-1.5 text-sm font-medium text-slate-900">{a.reason}</p>
          <Requester a={a} />
          <p className="mt-0.5 text-xs text-slate-500">
            {a.session_id ? (
              <>
                Session <span className="font-mono text-[11px] text-slate-700">{a.session_id}</span>
              </>
            ) : (
              'No session'
            )}
            {' · '}
            <span title={utc(a.requested_at)}>asked {ago(a.requested_at, nowMs)}</span>
          </p>
        </div>
        <dl className="grid grid-cols-3 gap-5 text-right">
          <Figure label="Projected cost">{formatUsdDecimal(a.projected_cost_usd)}</Figure>
          <Figure label="Session so far">{a.session_id && a.session_spend_usd !== null ? formatUsdDecimal(a.session_spend_usd) : '—'}</Figure>
          <div title={`Expires ${utc(a.expires_at)}`}>
            <Figure label="Expires" tone={left.soon ? 'text-rose-600' : 'text-slate-900'}>
              {left.text}
            </Figure>
          </div>
        </dl>
      </div>
      {canDecide && (
        <div className="mt-3 flex flex-wrap items-center gap-2">
          <input
            type="text"
            value={note}
            onChange={(e) => setNote(e.target.value)}
            maxLength={2_000}
            placeholder="Note (optional)"
            aria-label={`Note for ${a.id}`}
            className="min-w-48 flex-1 rounded-lg border border-slate-300 px-3 py-1.5 text-sm text-slate-900 placeholder:text-slate-400 focus:border-brand-500 focus:outline-none"
          />
          <button
            type="button"
            data-testid="approve-button"
            disabled={busy || left.expired}
            onClick={() => onDecide('approve', note)}
            className={`${buttons} bg-emerald-600 text-white hover:bg-emerald-700`}
          >
            Approve
          </button>
          <button
            type="button"
            data-testid="reject-button"
            disabled={busy || left.expired}
            onClick={() => onDecide('reject', note)}
            className={`${buttons} border border-rose-300 bg-white text-rose-700 hover:bg-rose-50`}
          >
            Reject
          </button>
        </div>
      )}
    </li>
  );
}

export function ApprovalList({ approvals, nowMs, canDecide, busyId, onDecide }: {
  approvals: InboxApproval[];
  nowMs: number;
  canDecide: boolean;
  busyId: string | null;
  onDecide: (id: string, decision: Decision, note: string) => void;
}) {
  if (approvals.length === 0) return <EmptyState>No approvals waiting. Calls over an approval threshold and agent escalations land here.</EmptyState>;
  return (
    <ul className="divide-y divide-slate-100" data-testid="approvals-waiting">
      {approvals.map((a) => (
        <ApprovalRow
          key={a.id}
          approval={a}
          nowMs={nowMs}
          canDecide={canDecide}
          busy={busyId === a.id}
          onDecide={(decision, note) => onDecide(a.id, decision, note)}
        />
      ))}
    </ul>
  );
}

const AFTERWARDS: Partial<Record<InboxApproval['status'], string>> = { used: 'used by the call', expired: 'expired unused' };

export function DecidedList({ approvals, nowMs }: { approvals: InboxApproval[]; nowMs: number }) {
  if (approvals.length === 0) return <EmptyState>Nothing decided yet.</EmptyState>;
  return (
    <ul className="divide-y divide-slate-100" data-testid="recently-decided">
      {approvals.map((a) => (
        <li key={a.id} data-testid="decided-row" data-approval-id={a.id} className="py-3 first:pt-0 last:pb-0">
          <div className="flex items-center justify-between gap-3">
            <div className="flex items-center gap-2">
              {a.decision === 'rejected' ? <Badge tone="rose">Rejected</Badge> : <Badge tone="green">Approved</Badge>}
              {AFTERWARDS[a.status] && <span className="text-[11px] text-slate-500">{AFTERWARDS[a.status]}</span>}
            </div>
            <span className="tabular text-sm font-semibold text-slate-900">
              {formatUsdDecimal(a.decision === 'approved' && a.approved_amount_usd ? a.approved_amount_usd : a.projected_cost_usd)}
            </span>
          </div>
          <p className="mt-1 truncate text-xs text-slate-700" title={a.reason}>
            {a.reason}
          </p>
          <p className="mt-0.5 text-[11px] text-slate-500">
            by {a.decided_by_name ?? a.decided_by ?? 'unknown'}
            {a.decided_at && <span title={utc(a.decided_at)}> · {ago(a.decided_at, nowMs)}</span>}
            {' · '}
            {a.agent ?? a.api_key_name ?? 'unknown caller'}
          </p>
          {a.note && <p className="mt-1 border-l-2 border-slate-200 pl-2 text-xs italic text-slate-600">{a.note}</p>}
        </li>
      ))}
    </ul>
  );
}
