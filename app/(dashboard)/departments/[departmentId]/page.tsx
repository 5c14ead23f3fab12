import { notFound } from 'next/navigation';
import { getDb } from '@/db/client';
import { departmentData } from '@/db/queries/dashboard';
import { listDepartments } from '@/db/queries/departments';
import { requireDepartmentPage } from '@/lib/auth/page-guard';
import { DepartmentClient } from './client';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Department' };

export default async function DepartmentPage({ params }: { params: Promise<{ departmentId: string }> }) {
  const { departmentId } = await params;
  const actor = await requireDepartmentPage(departmentId);
  const db = await getDb();
  const [department] = await listDepartments({ db, organisationId: actor.organisationId, departmentId });
  if (!department) notFound();
  const data = await departmentData({ db, organisationId: actor.organisationId, departmentId, now: new Date() });
  return (
    <DepartmentClient
      department={{ id: department.id, name: department.name, costCenter: department.costCenter, projects: department.projects.length }}
      initialData={data}
      canSeeAll={actor.role !== 'manager'}
    />
  );
}
