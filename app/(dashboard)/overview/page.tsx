import { getDb } from '@/db/client';
import { overviewData } from '@/db/queries/dashboard';
import { requireOrgPage } from '@/lib/auth/page-guard';
import { OverviewClient } from './client';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Overview' };

export default async function OverviewPage() {
  const actor = await requireOrgPage('spend.read');
  const data = await overviewData({ db: await getDb(), organisationId: actor.organisationId, departmentId: null, now: new Date() });
  return <OverviewClient initialData={data} />;
}
