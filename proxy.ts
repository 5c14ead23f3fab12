/**
 * Signed-out visitors to any page are sent to the sign-in page. A manager who
 * opens another department's page by URL gets a 403. API routes answer for
 * themselves (401/403 JSON from the route wrapper), so they pass through.
 */
import { getToken } from 'next-auth/jwt';
import { NextResponse, type NextRequest } from 'next/server';

export async function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  const token = await getToken({ req: request, secret: process.env.AUTH_SECRET });
  if (!token?.uid) {
    const signIn = new URL('/sign-in', request.url);
    if (pathname !== '/') signIn.searchParams.set('callbackUrl', `${pathname}${search}`);
    return NextResponse.redirect(signIn);
  }
  const department = /^\/departments\/([^/]+)/.exec(pathname)?.[1];
  if (token.role === 'manager' && department && decodeURIComponent(department) !== token.departmentId) {
    return NextResponse.rewrite(new URL('/forbidden', request.url), { status: 403 });
  }
  return NextResponse.next();
}

export const config = {
  matcher: ['/((?!api/|metrics|_next/|sign-in|forbidden|favicon\\.ico|icon\\.svg|robots\\.txt).*)'],
};
