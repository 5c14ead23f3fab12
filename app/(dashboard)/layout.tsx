import { redirect } from 'next/navigation';
import type { ReactNode } from 'react';
import { getDb } from '@/db/client';
import { listDepartments } from '@/db/queries/departments';
import { currentActor } from '@/lib/auth/current';
import { navigationFor } from '@/lib/auth/permissions';
import { Sidebar } from '@/components/shell/sidebar';

export const dynamic = 'force-dynamic';

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const actor = await currentActor();
  if (!actor) redirect('/sign-in');
  const [department] = actor.departmentId
    ? await listDepartments({ db: await getDb(), organisationId: actor.organisationId, departmentId: actor.departmentId })
    : [];
  return (
    <div className="flex min-h-screen">
      <Sidebar
        items={navigationFor(actor.role, actor.departmentId)}
        user={{ name: actor.name, role: actor.role, department: department?.name ?? null }}
      />
      <main className="min-w-0 flex-1 px-8 py-7">{children}</main>
    </div>
  );
}
