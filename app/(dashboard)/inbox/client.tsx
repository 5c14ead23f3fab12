'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { InboxData } from '@/db/queries/inbox';
import { formatCount } from '@/lib/format';
import { decideApproval, inboxQueryKey, inboxQueryOptions, unfreezeSession, type DecisionInput } from '@/lib/query/inbox';
import { KpiCard } from '@/components/dashboard/kpi-card';
import { AlertList } from '@/components/inbox/alerts';
import { ApprovalList, DecidedList } from '@/components/inbox/approvals';
import { FrozenSessionsTable } from '@/components/inbox/frozen-sessions';
import { Card } from '@/components/ui/card';
import { LiveStamp, PageHeader } from '@/components/shell/page-header';

interface Notice {
  tone: 'ok' | 'error';
  text: string;
}

/** The page's clock for "time left" and "ago": the server's time at first paint, then the browser's, every second. */
function useNow(initial: string): number {
  const [now, setNow] = useState(() => Date.parse(initial));
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

export function InboxClient({ initialData, canDecide, canUnfreeze }: { initialData: InboxData; canDecide: boolean; canUnfreeze: boolean }) {
  const queryClient = useQueryClient();
  const { data, isFetching } = useQuery({ ...inboxQueryOptions(), initialData, initialDataUpdatedAt: Date.parse(initialData.asOf) });
  const nowMs = useNow(initialData.asOf);
  const [notice, setNotice] = useState<Notice | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: inboxQueryKey });

  const decide = useMutation({
    mutationFn: decideApproval,
    onSuccess: (_approval, { id, decision }: DecisionInput) =>
      setNotice({
        tone: 'ok',
        text: decision === 'approve' ? `Approved ${id}: the agent can retry once with x-tollgate-approval: ${id}.` : `Rejected ${id}.`,
      }),
    onError: (error: Error, { id }) => setNotice({ tone: 'error', text: `${id}: ${error.message}` }),
    onSettled: refresh,
  });
  const unfreeze = useMutation({
    mutationFn: unfreezeSession,
    onSuccess: (_session, id) => setNotice({ tone: 'ok', text: `Session ${id} can call again.` }),
    onError: (error: Error, id) => setNotice({ tone: 'error', text: `${id}: ${error.message}` }),
    onSettled: refresh,
  });

  const { counts } = data;
  return (
    <>
      <PageHeader title="Inbox" subtitle={`Approvals, frozen sessions and alerts · refreshes every 10 seconds${canDecide ? '' : ' · ops decide'}`}>
        <LiveStamp asOf={data.asOf} fetching={isFetching} />
      </PageHeader>
      <div className="grid grid-cols-1 gap-4 sm:grid-cols-3">
        <KpiCard
          testId="inbox-count-approvals"
          label="Approvals waiting"
          value={formatCount(counts.approvalsWaiting)}
          tone={counts.approvalsWaiting > 0 ? 'warn' : 'good'}
          detail={counts.approvalsWaiting > 0 ? 'Agents are blocked until someone decides' : 'Nothing blocked'}
        />
        <KpiCard
          testId="inbox-count-frozen"
          label="Frozen sessions"
          value={formatCount(counts.frozenSessions)}
          tone={counts.frozenSessions > 0 ? 'bad' : 'good'}
          detail={counts.frozenSessions > 0 ? 'Stopped by the loop guard' : 'No runaway loops'}
        />
        <KpiCard testId="inbox-count-alerts" label="Alerts, last 24 h" value={formatCount(counts.alertsLast24h)} detail="Budgets, loops, approvals, escalations" />
      </div>
      {notice && (
        <div
          role={notice.tone === 'error' ? 'alert' : 'status'}
          data-testid="inbox-notice"
          className={`mt-4 flex items-start justify-between gap-4 rounded-lg border px-4 py-2.5 text-sm ${
            notice.tone === 'error' ? 'border-rose-200 bg-rose-50 text-rose-800' : 'border-emerald-200 bg-emerald-50 text-emerald-800'
          }`}
        >
          <span className="break-all">{notice.text}</span>
          <button type="button" onClick={() => setNotice(null)} className="shrink-0 text-xs font-medium underline">
            Dismiss
          </button>
        </div>
      )}
      <div className="mt-6 grid grid-cols-1 items-start gap-6 xl:grid-cols-3">
        <div className="flex min-w-0 flex-col gap-6 xl:col-span-2">
          <Card
            title="Approvals waiting"
            subtitle={canDecide ? 'Newest first. Approving admits one retry of that call, within its projected cost.' : 'Newest first. Platform ops approve or reject.'}
          >
            <ApprovalList
              approvals={data.pending}
              nowMs={nowMs}
              canDecide={canDecide}
              busyId={decide.isPending ? decide.variables.id : null}
              onDecide={(id, decision, note) => decide.mutate({ id, decision, note })}
            />
          </Card>
          <Card title="Frozen sessions" subtitle="Stopped by the loop guard; spend and calls from the ledger">
            <FrozenSessionsTable
              sessions={data.frozen}
              nowMs={nowMs}
              canUnfreeze={canUnfreeze}
              busyId={unfreeze.isPending ? unfreeze.variables : null}
              onUnfreeze={(id) => unfreeze.mutate(id)}
            />
          </Card>
          <Card title="Recently decided" subtitle="The last 20 decisions, newest first">
            <DecidedList approvals={data.decided} nowMs={nowMs} />
          </Card>
        </div>
        <Card title="Alerts" subtitle="The latest 30, with webhook delivery">
          <AlertList alerts={data.alerts} nowMs={nowMs} />
        </Card>
      </div>
    </>
  );
}
