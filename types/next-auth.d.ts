import type { DefaultSession } from 'next-auth';
import type { Role } from '@/lib/engine/enums';

declare module 'next-auth' {
  interface Session {
    user: DefaultSession['user'] & {
      id: string;
      role: Role;
      departmentId: string | null;
      organisationId: string;
    };
  }
}

declare module 'next-auth/jwt' {
  interface JWT {
    uid?: string;
    role?: Role;
    departmentId?: string | null;
    organisationId?: string;
  }
}
