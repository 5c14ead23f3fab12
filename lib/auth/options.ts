/**
 * next-auth configuration: credentials for the demo and local accounts, and
 * an OIDC provider when AUTH_OIDC_ISSUER, AUTH_OIDC_CLIENT_ID and
 * AUTH_OIDC_CLIENT_SECRET are set. Either way the person must exist in the
 * users table, which is where their role and department come from.
 */
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { NextAuthOptions } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import type { Provider } from 'next-auth/providers/index';
import { z } from 'zod';
import { getDb } from '@/db/client';
import { users } from '@/db/schema';
import type { Role } from '@/lib/engine/enums';
import { hashPassword, verifyPassword } from './secrets';
import { SignInThrottle } from './sign-in-throttle';

/** The error a sign-in gets while its email must wait after too many wrong passwords (the form shows why). */
export const SIGN_IN_THROTTLED = 'TooManyAttempts';

/** Wrong passwords per email, for the whole process (see SignInThrottle). */
export const signInThrottle = new SignInThrottle();

const credentialsSchema = z.object({
  email: z.string().trim().toLowerCase().email().max(320),
  password: z.string().min(1).max(1024),
});

async function findActiveUser(email: string) {
  const { db } = await getDb();
  const [user] = await db.select().from(users).where(eq(users.email, email.toLowerCase())).limit(1);
  return user && !user.disabledAt ? user : undefined;
}

let dummyHash: string | undefined;

/**
 * A hash of a random secret that no password matches. A password is checked
 * against it when there is no hash of the person's own to check (unknown
 * email, disabled account, SSO-only account), so every failed sign-in costs
 * the same scrypt and timing does not tell which emails have accounts.
 * Made on the first sign-in, whichever way it goes, not at import.
 */
function dummyPasswordHash(): string {
  dummyHash ??= hashPassword(randomBytes(32).toString('base64url'));
  return dummyHash;
}

function oidcProvider(): Provider[] {
  const issuer = process.env.AUTH_OIDC_ISSUER;
  const clientId = process.env.AUTH_OIDC_CLIENT_ID;
  const clientSecret = process.env.AUTH_OIDC_CLIENT_SECRET;
  if (!issuer || !clientId || !clientSecret) return [];
  return [
    {
      id: 'oidc',
      name: process.env.AUTH_OIDC_NAME ?? 'Single sign-on',
      type: 'oauth',
      wellKnown: `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`,
      clientId,
      clientSecret,
      authorization: { params: { scope: 'openid email profile' } },
      idToken: true,
      checks: ['pkce', 'state'],
      profile(profile: { sub: string; email?: string; name?: string }) {
        return { id: profile.sub, email: profile.email ?? null, name: profile.name ?? profile.email ?? profile.sub };
      },
    },
  ];
}

export function oidcEnabled(): boolean {
  return oidcProvider().length > 0;
}

export const authOptions: NextAuthOptions = {
  secret: process.env.AUTH_SECRET,
  session: { strategy: 'jwt', maxAge: 12 * 60 * 60 },
  pages: { signIn: '/sign-in', error: '/sign-in' },
  providers: [
    CredentialsProvider({
      name: 'Email and password',
      credentials: { email: { label: 'Email', type: 'email' }, password: { label: 'Password', type: 'password' } },
      async authorize(raw) {
        const parsed = credentialsSchema.safeParse(raw);
        if (!parsed.success) return null;
        const { email } = parsed.data;
        // Refused before any password is checked, for every email alike (with an account or not).
        if (signInThrottle.waitMs(email, Date.now()) > 0) throw new Error(SIGN_IN_THROTTLED);
        const dummy = dummyPasswordHash();
        const user = await findActiveUser(email);
        // One answer, in the same time, for every failure: never say whether the email or the password was wrong.
        const passwordOk = verifyPassword(parsed.data.password, user?.passwordHash || dummy);
        if (!user?.passwordHash || !passwordOk) {
          signInThrottle.failed(email, Date.now());
          return null;
        }
        signInThrottle.succeeded(email);
        return { id: user.id, email: user.email, name: user.name };
      },
    }),
    ...oidcProvider(),
  ],
  callbacks: {
    async signIn({ user }) {
      // OIDC people must already be provisioned in Tollgate.
      return Boolean(user.email && (await findActiveUser(user.email)));
    },
    async jwt({ token, user }) {
      if (user?.email) {
        const row = await findActiveUser(user.email);
        if (row) {
          token.uid = row.id;
          token.role = row.role;
          token.departmentId = row.departmentId;
          token.organisationId = row.organisationId;
        }
      }
      return token;
    },
    async session({ session, token }) {
      session.user = {
        ...session.user,
        id: token.uid as string,
        role: token.role as Role,
        departmentId: (token.departmentId as string | null) ?? null,
        organisationId: token.organisationId as string,
      };
      return session;
    },
  },
};
