import { getDb } from '@/db/client';
import { inboxData } from '@/db/queries/inbox';
import { requireOrgPage } from '@/lib/auth/page-guard';
import { can } from '@/lib/auth/permissions';
import { InboxClient } from './client';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Inbox' };

export default async function InboxPage() {
  const actor = await requireOrgPage('approvals.read');
  const data = await inboxData({ db: await getDb(), organisationId: actor.organisationId, now: new Date() });
  return <InboxClient initialData={data} canDecide={can(actor.role, 'approvals.decide')} canUnfreeze={can(actor.role, 'sessions.manage')} />;
}
