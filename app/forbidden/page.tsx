import Link from 'next/link';

export const metadata = { title: 'No access' };

export default function Forbidden() {
  return (
    <main className="flex min-h-screen items-center justify-center p-6">
      <div className="max-w-md rounded-xl border border-slate-200 bg-white p-8 text-center shadow-sm" data-testid="forbidden">
        <p className="text-sm font-semibold text-rose-600">403 · No access</p>
        <h1 className="mt-2 text-xl font-semibold text-slate-900">This department is not yours to see</h1>
        <p className="mt-2 text-sm text-slate-600">Managers can open their own department only. Ask platform ops if you need wider access.</p>
        <Link href="/" className="mt-6 inline-block rounded-lg bg-brand-600 px-4 py-2 text-sm font-medium text-white hover:bg-brand-700">
          Back to my dashboard
        </Link>
      </div>
    </main>
  );
}
