'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { signOut } from 'next-auth/react';
import type { NavItem } from '@/lib/auth/permissions';

const ROLE_LABEL: Record<string, string> = { cfo: 'CFO', ops: 'Platform ops', manager: 'Department manager', admin: 'Administrator' };

export function Sidebar({ items, user }: { items: NavItem[]; user: { name: string; role: string; department: string | null } }) {
  const pathname = usePathname();
  return (
    <aside className="flex w-60 shrink-0 flex-col bg-slate-900 text-slate-300">
      <div className="flex items-center gap-2.5 px-5 py-5">
        <svg viewBox="0 0 32 32" className="h-7 w-7" aria-hidden>
          <rect width="32" height="32" rx="8" fill="#2f6fed" />
          <path d="M8 11h16M16 11v13M11 7h10" stroke="white" strokeWidth="2.6" strokeLinecap="round" />
        </svg>
        <span className="text-lg font-semibold tracking-tight text-white">Tollgate</span>
      </div>
      <nav className="flex-1 space-y-0.5 px-3" aria-label="Main">
        {items.map((item) => {
          const active = pathname === item.href || pathname.startsWith(`${item.href}/`);
          return (
            <Link
              key={item.href}
              href={item.href}
              aria-current={active ? 'page' : undefined}
              className={`block rounded-lg px-3 py-2 text-sm font-medium transition ${
                active ? 'bg-slate-800 text-white' : 'hover:bg-slate-800/60 hover:text-white'
              }`}
            >
              {item.label}
            </Link>
          );
        })}
      </nav>
      <div className="border-t border-slate-800 px-5 py-4">
        <p className="truncate text-sm font-medium text-white" data-testid="user-name">
          {user.name}
        </p>
        <p className="truncate text-xs text-slate-400" data-testid="user-role">
          {ROLE_LABEL[user.role] ?? user.role}
          {user.department ? ` · ${user.department}` : ''}
        </p>
        <button
          type="button"
          onClick={() => signOut({ callbackUrl: '/sign-in' })}
          className="mt-3 text-xs font-medium text-slate-400 hover:text-white"
        >
          Sign out
        </button>
      </div>
    </aside>
  );
}
