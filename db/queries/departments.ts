/** Departments with their projects, confined to one department for managers. */
import type { ReadScope } from './scope';

export interface DepartmentWithProjects {
  id: string;
  code: string;
  name: string;
  costCenter: string;
  projects: { id: string; code: string; name: string; client: string | null }[];
}

export async function listDepartments(scope: Omit<ReadScope, 'now'>): Promise<DepartmentWithProjects[]> {
  const rows = await scope.db.query<{
    id: string;
    code: string;
    name: string;
    cost_center: string;
    project_id: string | null;
    project_code: string | null;
    project_name: string | null;
    client: string | null;
  }>(
    `select d.id, d.code, d.name, d.cost_center, p.id as project_id, p.code as project_code, p.name as project_name, p.client
       from departments d left join projects p on p.department_id = d.id
      where d.organisation_id = $1 and ($2::text is null or d.id = $2)
      order by d.name, p.name`,
    [scope.organisationId, scope.departmentId],
  );
  const byId = new Map<string, DepartmentWithProjects>();
  for (const r of rows) {
    let dep = byId.get(r.id);
    if (!dep) {
      dep = { id: r.id, code: r.code, name: r.name, costCenter: r.cost_center, projects: [] };
      byId.set(r.id, dep);
    }
    if (r.project_id) dep.projects.push({ id: r.project_id, code: r.project_code!, name: r.project_name!, client: r.client });
  }
  return [...byId.values()];
}

export async function departmentExists(scope: Omit<ReadScope, 'now' | 'departmentId'>, departmentId: string): Promise<boolean> {
  const rows = await scope.db.query('select 1 from departments where organisation_id = $1 and id = $2', [scope.organisationId, departmentId]);
  return rows.length > 0;
}
