import { redirect } from 'next/navigation';
import { currentActor } from '@/lib/auth/current';
import { landingPath } from '@/lib/auth/permissions';

export const dynamic = 'force-dynamic';

/** Each role lands on its own page. */
export default async function Home() {
  const actor = await currentActor();
  if (!actor) redirect('/sign-in');
  redirect(landingPath(actor.role, actor.departmentId));
}
