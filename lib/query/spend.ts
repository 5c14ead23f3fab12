/** TanStack Query options for the dashboard views; the server page prefetches with the same key. */
import type { DashboardData, DashboardView } from '@/db/queries/dashboard';

export function spendQueryKey(view: DashboardView, departmentId: string | null) {
  return ['spend', view, departmentId ?? 'all'] as const;
}

export async function fetchSpend<T extends DashboardData>(view: DashboardView, departmentId: string | null): Promise<T> {
  const params = new URLSearchParams({ view });
  if (departmentId) params.set('department', departmentId);
  const response = await fetch(`/api/v1/spend?${params}`, { cache: 'no-store' });
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
    throw new Error(body?.error?.message ?? `Request failed (${response.status})`);
  }
  return (await response.json()) as T;
}

export const REFRESH_MS = { overview: 60_000, live: 10_000, department: 60_000 } as const;

export function spendQueryOptions<T extends DashboardData>(view: DashboardView, departmentId: string | null) {
  return {
    queryKey: spendQueryKey(view, departmentId),
    queryFn: () => fetchSpend<T>(view, departmentId),
    refetchInterval: REFRESH_MS[view],
  };
}
