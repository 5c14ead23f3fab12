import type { AlertView } from '@/lib/server/alerts';
import { EmptyState } from '@/components/ui/card';
import { ago, utc } from './format';

const KIND_LABEL: Record<AlertView['kind'], string> = {
  budget_threshold: 'Budget threshold',
  budget_exceeded: 'Budget exceeded',
  loop_detected: 'Loop detected',
  approval_waiting: 'Approval waiting',
  escalation: 'Escalation',
};

const SEVERITY_DOT: Record<AlertView['severity'], string> = { info: 'bg-slate-400', warning: 'bg-amber-500', critical: 'bg-rose-500' };

const DELIVERY: Record<AlertView['delivery']['status'], { label: string; style: string }> = {
  delivered: { label: 'delivered', style: 'text-emerald-700' },
  pending: { label: 'delivery pending', style: 'text-amber-700' },
  failed: { label: 'delivery failed', style: 'text-rose-700' },
  not_configured: { label: 'stored, no webhook', style: 'text-slate-500' },
};

export function AlertList({ alerts, nowMs }: { alerts: AlertView[]; nowMs: number }) {
  if (alerts.length === 0) return <EmptyState>No alerts yet.</EmptyState>;
  return (
    <ul className="divide-y divide-slate-100" data-testid="alerts">
      {alerts.map((a) => {
        const delivery = DELIVERY[a.delivery.status];
        return (
          <li key={a.id} data-testid="alert-row" data-alert-kind={a.kind} className="flex gap-3 py-2.5 first:pt-0 last:pb-0">
            <span className={`mt-1.5 h-2 w-2 shrink-0 rounded-full ${SEVERITY_DOT[a.severity]}`} aria-label={a.severity} role="img" />
            <div className="min-w-0 flex-1">
              <div className="flex items-baseline justify-between gap-2">
                <span className="text-xs font-semibold text-slate-800">{KIND_LABEL[a.kind] ?? a.kind}</span>
                <span className="shrink-0 text-[11px] text-slate-500" title={utc(a.created_at)}>
                  {ago(a.created_at, nowMs)}
                </span>
              </div>
              <p className="mt-0.5 break-words text-xs text-slate-600">{a.message}</p>
              <p className={`mt-0.5 text-[11px] ${delivery.style}`} title={a.delivery.last_error ?? undefined}>
                {delivery.label}
              </p>
            </div>
          </li>
        );
      })}
    </ul>
  );
}
