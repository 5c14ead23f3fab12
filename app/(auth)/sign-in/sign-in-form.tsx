'use client';

import { signIn } from 'next-auth/react';
import { useState, type FormEvent } from 'react';
import { safeCallbackUrl } from '@/lib/auth/callback-url';

const MESSAGES: Record<string, string> = {
  CredentialsSignin: 'Email or password is incorrect.',
  AccessDenied: 'This account has no access to Tollgate.',
  NoDepartment: 'Your account has no department yet. Ask platform ops to assign one.',
  // SIGN_IN_THROTTLED in lib/auth/options.ts (not imported: that module is server-only).
  TooManyAttempts: 'Too many wrong passwords for this account. Wait a minute, then try again.',
};

export function SignInForm({ callbackUrl, initialError, oidc }: { callbackUrl: string; initialError: string | null; oidc: boolean }) {
  const [error, setError] = useState<string | null>(initialError ? (MESSAGES[initialError] ?? 'Sign-in failed. Try again.') : null);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    const result = await signIn('credentials', {
      email: String(form.get('email') ?? ''),
      password: String(form.get('password') ?? ''),
      redirect: false,
    });
    if (result?.ok && !result.error) {
      // The page already checked it; checked again where the browser is sent, in case this form is reused.
      window.location.assign(safeCallbackUrl(callbackUrl));
      return;
    }
    setPending(false);
    setError(MESSAGES[result?.error ?? ''] ?? MESSAGES.CredentialsSignin!);
  }

  return (
    <div className="mt-8 space-y-5">
      <form onSubmit={onSubmit} className="space-y-4" noValidate>
        <label className="block">
          <span className="text-sm font-medium text-slate-700">Email</span>
          <input
            name="email"
            type="email"
            autoComplete="username"
            required
            className="mt-1.5 block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm outline-none focus:border-brand-500 focus:ring-2 focus:ring-brand-100"
          />
        </label>
        <label className="block">
          <span className="text-sm font-medium text-slate-700">Password</span>
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            required
            className="mt-1.5 block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm outline-none focus:border-brand-500 focus:ring-2 focus:ring-brand-100"
          />
        </label>
        {error && (
          <p role="alert" data-testid="sign-in-error" className="rounded-lg bg-rose-50 px-3 py-2 text-sm text-rose-700">
            {error}
          </p>
        )}
        <button
          type="submit"
          disabled={pending}
          className="w-full rounded-lg bg-brand-600 px-4 py-2.5 text-sm font-semibold text-white shadow-sm hover:bg-brand-700 disabled:opacity-60"
        >
          {pending ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      {oidc && (
        <button
          type="button"
          onClick={() => signIn('oidc', { callbackUrl: safeCallbackUrl(callbackUrl) })}
          className="w-full rounded-lg border border-slate-300 bg-white px-4 py-2.5 text-sm font-semibold text-slate-700 hover:bg-slate-50"
        >
          Continue with single sign-on
        </button>
      )}
    </div>
  );
}
