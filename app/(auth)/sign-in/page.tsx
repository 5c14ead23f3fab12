import { redirect } from 'next/navigation';
import { safeCallbackUrl } from '@/lib/auth/callback-url';
import { currentActor } from '@/lib/auth/current';
import { oidcEnabled } from '@/lib/auth/options';
import { landingPath } from '@/lib/auth/permissions';
import { SignInForm } from './sign-in-form';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Sign in' };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string; error?: string }> }) {
  const actor = await currentActor();
  if (actor) redirect(landingPath(actor.role, actor.departmentId));
  const { callbackUrl, error } = await searchParams;
  const safeCallback = safeCallbackUrl(callbackUrl);
  return (
    <main className="flex min-h-screen">
      <section className="hidden w-[44%] flex-col justify-between bg-slate-900 p-12 text-slate-300 lg:flex">
        <div className="flex items-center gap-2.5">
          <svg viewBox="0 0 32 32" className="h-8 w-8" aria-hidden>
            <rect width="32" height="32" rx="8" fill="#2f6fed" />
            <path d="M8 11h16M16 11v13M11 7h10" stroke="white" strokeWidth="2.6" strokeLinecap="round" />
          </svg>
          <span className="text-xl font-semibold text-white">Tollgate</span>
        </div>
        <div>
          <h1 className="text-3xl font-semibold leading-tight text-white">Every token accounted for.</h1>
          <p className="mt-4 max-w-md text-sm leading-6">
            Route each agent call to the cheapest model that is good enough, hold budgets under concurrency, and give finance a
            ledger that adds up to the cent.
          </p>
        </div>
        <p className="text-xs text-slate-500">FinOps command center for AI inference</p>
      </section>
      <section className="flex flex-1 items-center justify-center p-6">
        <div className="w-full max-w-sm">
          <h2 className="text-2xl font-semibold text-slate-900">Sign in</h2>
          <p className="mt-1 text-sm text-slate-500">Use your Tollgate account.</p>
          <SignInForm callbackUrl={safeCallback} initialError={error ?? null} oidc={oidcEnabled()} />
        </div>
      </section>
    </main>
  );
}
