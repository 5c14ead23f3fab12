import type { Role } from '@/lib/engine/enums';
import type { Principal } from './permissions';

/** Whoever is calling: a signed-in person or an API key. */
export interface Actor {
  type: 'user' | 'api_key';
  id: string;
  name: string;
  organisationId: string;
  role: Principal;
  /** The person's or key's department; required for managers. */
  departmentId: string | null;
  projectId: string | null;
  /** For API keys: the agent the key belongs to and the person it acts for, when set. */
  agent?: string | null;
  userId?: string | null;
}

/** A signed-in person (never an API key). */
export type UserActor = Actor & { type: 'user'; role: Role };
