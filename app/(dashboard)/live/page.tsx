import { getDb } from '@/db/client';
import { liveData } from '@/db/queries/dashboard';
import { requireOrgPage } from '@/lib/auth/page-guard';
import { LiveClient } from './client';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Live burn' };

export default async function LivePage() {
  const actor = await requireOrgPage('telemetry.read');
  const data = await liveData({ db: await getDb(), organisationId: actor.organisationId, departmentId: null, now: new Date() });
  return <LiveClient initialData={data} />;
}
