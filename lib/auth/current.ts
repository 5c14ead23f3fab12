/** The signed-in person for server components, re-read from the users table. */
import { eq } from 'drizzle-orm';
import { getServerSession } from 'next-auth';
import { getDb } from '@/db/client';
import { users } from '@/db/schema';
import type { UserActor } from './actor';
import { authOptions } from './options';

export async function currentActor(): Promise<UserActor | null> {
  const session = await getServerSession(authOptions);
  if (!session?.user?.id) return null;
  const { db } = await getDb();
  const [user] = await db.select().from(users).where(eq(users.id, session.user.id)).limit(1);
  if (!user || user.disabledAt) return null;
  return {
    type: 'user',
    id: user.id,
    name: user.name,
    organisationId: user.organisationId,
    role: user.role,
    departmentId: user.departmentId,
    projectId: null,
  };
}
