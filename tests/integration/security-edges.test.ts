/**
 * Security edges, through the real route handlers: an upstream's stored
 * credential goes only where it was entered for; a disabled person's API
 * keys stop working; a change made with the session cookie must come from
 * Tollgate's own pages (bearer keys are unaffected); a sign-in costs one
 * scrypt whether or not the email has an account; and after five wrong
 * passwords an account's attempts are spaced out.
 */
import { encode } from 'next-auth/jwt';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { setDb } from '@/db/client';
import { seedDatabase } from '@/db/seed';
import { DEMO_USERS, DEPARTMENT_IDS, ORG_ID } from '@/db/seed/fixtures';
import { GET as getDepartments } from '@/app/api/v1/departments/route';
import { GET as getKeys, POST as postKey } from '@/app/api/v1/keys/route';
import { GET as getUpstreams, POST as postUpstream } from '@/app/api/v1/upstreams/route';
import { authOptions, SIGN_IN_THROTTLED, signInThrottle } from '@/lib/auth/options';
import { hashPassword, verifyPassword } from '@/lib/auth/secrets';
import { getGateway, resetGateway } from '@/lib/gateway/runtime';
import { actorForApiKey, clearApiKeyCache } from '@/lib/http/authenticate';
import { stopAlertDrain } from '@/lib/server/alerts';
import { openCredential } from '@/lib/server/credential-box';
import { createTestDb, type TestDb } from '../support/db';

// The real scrypt check, watched: which hash each sign-in attempt was checked against.
vi.mock('@/lib/auth/secrets', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@/lib/auth/secrets')>();
  return { ...actual, verifyPassword: vi.fn(actual.verifyPassword) };
});

const SECRET = 'security-edges-test-secret';
const AGENT_KEY = 'tg_securityEdgesAgentKey0000000000000000000';
const ADMIN_KEY = 'tg_securityEdgesAdminKey0000000000000000000';
const DEMO_PASSWORD = 'security-edges-password';
/** A person who leaves: an ops user with a password and a personal ops key, disabled mid-test. */
const LEAVER = { id: 'usr_leaver', email: 'leaver@example.com', password: 'leaver-password' };
let db: TestDb;
let opsCookie = '';

beforeAll(async () => {
  process.env.AUTH_SECRET = SECRET;
  delete process.env.NEXTAUTH_URL;
  delete process.env.TOLLGATE_ALERT_WEBHOOK_URL;
  db = await createTestDb();
  await seedDatabase(db, { events: 200, days: 3, now: new Date(), seed: 17, demoKey: AGENT_KEY, adminKey: ADMIN_KEY, demoPassword: DEMO_PASSWORD });
  await db.query(`insert into users (id, organisation_id, email, name, role, department_id, password_hash) values ($1, $2, $3, 'Lee Aver', 'ops', $4, $5)`, [
    LEAVER.id,
    ORG_ID,
    LEAVER.email,
    DEPARTMENT_IDS.engineering,
    hashPassword(LEAVER.password),
  ]);
  setDb(db);
  clearApiKeyCache();
  resetGateway();
  opsCookie = `next-auth.session-token=${await encode({
    token: { uid: DEMO_USERS.ops.id, role: 'ops', departmentId: DEMO_USERS.ops.departmentId, organisationId: ORG_ID, email: DEMO_USERS.ops.email },
    secret: SECRET,
  })}`;
});

afterAll(async () => {
  // A saved upstream tells the gateway to reload; stop what that started before the database goes.
  const rt = await getGateway();
  await rt.writer.flush();
  await rt.admitter.close();
  resetGateway();
  stopAlertDrain();
  delete process.env.NEXTAUTH_URL;
  await db?.dispose();
});

type Handler = (req: Request, route?: { params?: Promise<never> }) => Promise<Response>;
type ErrorJson = { error: { type: string; message: string; param?: string | null; code?: string | null } };

async function call<T = Record<string, unknown>>(handler: unknown, req: Request): Promise<{ status: number; body: T }> {
  const response = await (handler as Handler)(req);
  return { status: response.status, body: (await response.json()) as T };
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

function request(method: string, path: string, headers: Record<string, string>, body?: unknown, base = 'http://localhost'): Request {
  return new Request(`${base}${path}`, {
    method,
    headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function count(table: 'api_keys' | 'upstreams' | 'audit_log'): Promise<number> {
  const [row] = await db.query<{ n: string }>(`select count(*)::text as n from ${table}`);
  return Number(row!.n);
}

describe('upstream credentials stay where they were entered for', () => {
  const PRODUCTION = { name: 'prod-openai', kind: 'openai_compatible', base_url: 'https://api.openai.example/v1', api_key: 'sk-production-secret-0001', models: ['openai/gpt-4.1-mini'] };
  const save = (body: unknown) => call<Record<string, unknown> & ErrorJson>(postUpstream, request('POST', '/api/v1/upstreams', bearer(ADMIN_KEY), body));
  const stored = async (name: string) => {
    const [row] = await db.query<{ kind: string; base_url: string | null; auth_header: string; credential_ciphertext: string | null; timeout_ms: number }>(
      'select kind, base_url, auth_header, credential_ciphertext, timeout_ms from upstreams where organisation_id = $1 and name = $2',
      [ORG_ID, name],
    );
    return { ...row!, credential: row!.credential_ciphertext ? openCredential(row!.credential_ciphertext) : null };
  };

  beforeAll(async () => {
    const created = await save(PRODUCTION);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
  });

  it.each([
    ['base_url', { base_url: 'https://collector.attacker.example/v1' }],
    ['auth_header', { auth_header: 'api-key' }],
    ['kind', { kind: 'simulated' }],
  ])('refuses to change %s without the api_key again, and changes nothing', async (field, change) => {
    const { api_key: _kept, ...withoutKey } = PRODUCTION;
    const before = { upstreams: await count('upstreams'), audit: await count('audit_log'), row: await stored(PRODUCTION.name) };
    const res = await save({ ...withoutKey, ...change });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error).toMatchObject({ type: 'invalid_request_error', param: 'api_key' });
    expect(res.body.error.message).toContain(field);
    expect(await stored(PRODUCTION.name)).toEqual(before.row);
    expect(before.row).toMatchObject({ base_url: PRODUCTION.base_url, credential: PRODUCTION.api_key });
    expect({ upstreams: await count('upstreams'), audit: await count('audit_log') }).toEqual({ upstreams: before.upstreams, audit: before.audit });
  });

  it('keeps the stored credential for a change that does not move it', async () => {
    const { api_key: _kept, ...withoutKey } = PRODUCTION;
    const res = await save({ ...withoutKey, models: { 'openai/gpt-4.1-mini': 'gpt-4.1-mini-2025-04-14' }, timeout_ms: 30_000 });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ base_url: PRODUCTION.base_url, credential: '…0001' });
    expect(await stored(PRODUCTION.name)).toMatchObject({ base_url: PRODUCTION.base_url, credential: PRODUCTION.api_key, timeout_ms: 30_000 });
  });

  it('moves an upstream when the new key comes with it', async () => {
    const res = await save({ ...PRODUCTION, base_url: 'https://eu.api.openai.example/v1', api_key: 'sk-eu-secret-0002' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(await stored(PRODUCTION.name)).toMatchObject({ base_url: 'https://eu.api.openai.example/v1', credential: 'sk-eu-secret-0002' });
  });

  it('lets an upstream with no credential move freely', async () => {
    const local = { name: 'local-vllm', kind: 'openai_compatible', base_url: 'http://127.0.0.1:8000/v1', models: ['openai/gpt-4.1-mini'] };
    expect((await save(local)).status).toBe(201);
    const moved = await save({ ...local, base_url: 'http://10.0.0.7:8000/v1' });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(await stored('local-vllm')).toMatchObject({ base_url: 'http://10.0.0.7:8000/v1', credential: null });
  });

  it.each(['file:///etc/passwd', 'ftp://files.example/v1', 'javascript:alert(1)', 'gopher://old.example'])('refuses the base URL %s: http(s) only', async (base_url) => {
    const before = await count('upstreams');
    const res = await save({ ...PRODUCTION, name: 'not-http', base_url });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ type: 'invalid_request_error', param: 'base_url' });
    expect(await count('upstreams')).toBe(before);
  });

  it('never returns the credential', async () => {
    const res = await call<{ data: unknown[] }>(getUpstreams, request('GET', '/api/v1/upstreams', bearer(ADMIN_KEY)));
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.body)).not.toContain('sk-eu-secret');
  });
});

describe('a personal API key goes with its person', () => {
  let leaverKey = '';

  beforeAll(async () => {
    const res = await call<{ key: string; user_id: string }>(postKey, request('POST', '/api/v1/keys', bearer(ADMIN_KEY), { name: "Lee's ops CLI", role: 'ops', user: LEAVER.id }));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    leaverKey = res.body.key;
  });

  it('works while the user is active, and is refused like a revoked key once they are disabled', async () => {
    expect((await getDepartments(request('GET', '/api/v1/departments', bearer(leaverKey)))).status).toBe(200);

    await db.query('update users set disabled_at = now() where id = $1', [LEAVER.id]);
    clearApiKeyCache();
    const refused = await call<ErrorJson>(getDepartments, request('GET', '/api/v1/departments', bearer(leaverKey)));
    const unknown = await call<ErrorJson>(getDepartments, request('GET', '/api/v1/departments', bearer('tg_neverIssued')));
    expect(refused.status).toBe(401);
    expect(refused.body).toEqual(unknown.body);
    expect(await actorForApiKey(db, leaverKey)).toBeNull();

    // Keys bound to no one are not affected.
    expect((await getDepartments(request('GET', '/api/v1/departments', bearer(ADMIN_KEY)))).status).toBe(200);
    expect(await actorForApiKey(db, AGENT_KEY)).not.toBeNull();
    await db.query('update users set disabled_at = null where id = $1', [LEAVER.id]);
    clearApiKeyCache();
  });

  it('is refused within the key cache lifetime (30 s) even where nobody clears the cache', async () => {
    const now = Date.now();
    expect(await actorForApiKey(db, leaverKey, now)).not.toBeNull();
    await db.query('update users set disabled_at = now() where id = $1', [LEAVER.id]);
    expect(await actorForApiKey(db, leaverKey, now + 30_001)).toBeNull();
    await db.query('update users set disabled_at = null where id = $1', [LEAVER.id]);
    clearApiKeyCache();
  });
});

describe('changes made with the session cookie must come from Tollgate', () => {
  const newKey = (headers: Record<string, string>, base?: string) =>
    call<Record<string, unknown> & ErrorJson>(postKey, request('POST', '/api/v1/keys', { cookie: opsCookie, ...headers }, { name: 'ops key from the UI', role: 'ops' }, base));

  async function expectCrossSiteRefused(headers: Record<string, string>, base?: string) {
    const before = await count('api_keys');
    const res = await newKey(headers, base);
    expect(res.status, JSON.stringify(res.body)).toBe(403);
    expect(res.body.error).toMatchObject({ type: 'permission_error', code: 'cross_site_request' });
    expect(await count('api_keys')).toBe(before);
  }

  beforeEach(() => {
    delete process.env.NEXTAUTH_URL;
  });

  it.each([
    ['another site', { origin: 'https://evil.example' }],
    ['a sandboxed frame (Origin: null)', { origin: 'null' }],
    ['another port of the same host', { origin: 'http://localhost:8080' }],
    ['no Origin, Sec-Fetch-Site cross-site', { 'sec-fetch-site': 'cross-site' }],
    ['no Origin, Sec-Fetch-Site same-site', { 'sec-fetch-site': 'same-site' }],
    ['neither Origin nor Sec-Fetch-Site', {}],
  ])('refuses a POST from %s with 403 and writes nothing', async (_name, headers) => {
    await expectCrossSiteRefused(headers);
  });

  it.each([
    ['its own origin', { origin: 'http://localhost' }],
    ['no Origin but Sec-Fetch-Site same-origin', { 'sec-fetch-site': 'same-origin' }],
  ])('accepts a POST from %s', async (_name, headers) => {
    expect((await newKey(headers)).status).toBe(201);
  });

  it('compares against the host the browser used behind a proxy (X-Forwarded-Host and -Proto), or NEXTAUTH_URL', async () => {
    const proxied = { host: 'tollgate-internal:3000', 'x-forwarded-host': 'tollgate.example.com', 'x-forwarded-proto': 'https' };
    expect((await newKey({ ...proxied, origin: 'https://tollgate.example.com' }, 'http://tollgate-internal:3000')).status).toBe(201);
    await expectCrossSiteRefused({ ...proxied, origin: 'http://tollgate.example.com' }, 'http://tollgate-internal:3000');
    await expectCrossSiteRefused({ ...proxied, origin: 'https://evil.example' }, 'http://tollgate-internal:3000');

    process.env.NEXTAUTH_URL = 'https://finops.example.com/';
    // An https NEXTAUTH_URL puts the session in next-auth's __Secure- cookie.
    const internal = { host: 'tollgate-internal:3000', cookie: `__Secure-${opsCookie}` };
    expect((await newKey({ ...internal, origin: 'https://finops.example.com' }, 'http://tollgate-internal:3000')).status).toBe(201);
    await expectCrossSiteRefused({ ...internal, origin: 'https://finops.example.org' }, 'http://tollgate-internal:3000');
  });

  it('leaves reads and bearer keys alone', async () => {
    expect((await getKeys(request('GET', '/api/v1/keys', { cookie: opsCookie, origin: 'https://evil.example' }))).status).toBe(200);
    const before = await count('api_keys');
    const res = await call(postKey, request('POST', '/api/v1/keys', { ...bearer(ADMIN_KEY), origin: 'https://evil.example' }, { name: 'script key', role: 'ops' }));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(await count('api_keys')).toBe(before + 1);
  });
});

/** The credentials provider's own check, as next-auth calls it on sign-in, and the scrypt checks it makes. */
type Authorize = (credentials: Record<string, string>, req: unknown) => Promise<{ id: string } | null>;
const authorize = (authOptions.providers[0] as unknown as { options: { authorize: Authorize } }).options.authorize;
const checked = vi.mocked(verifyPassword);

describe('sign-in costs the same whether or not the email exists', () => {
  const cfoHash = async () => (await db.query<{ password_hash: string }>('select password_hash from users where id = $1', [DEMO_USERS.cfo.id]))[0]!.password_hash;

  /** The hash each attempt's password was checked against (one scrypt each), and its answer. */
  async function attempt(email: string, password: string) {
    checked.mockClear();
    const user = await authorize({ email, password }, {});
    return { user, hashes: checked.mock.calls.map(([, hash]) => hash) };
  }

  it('signs in a known person with the right password only', async () => {
    expect((await attempt(DEMO_USERS.cfo.email, DEMO_PASSWORD)).user).toMatchObject({ id: DEMO_USERS.cfo.id });
    const wrong = await attempt(DEMO_USERS.cfo.email, 'not-the-password');
    expect(wrong.user).toBeNull();
    expect(wrong.hashes).toEqual([await cfoHash()]);
  });

  it.each([
    ['an unknown email', 'nobody-here@example.com', 'whatever'],
    ['a disabled account, even with its right password', LEAVER.email, LEAVER.password],
  ])('checks the password of %s against a scrypt hash too, and refuses it', async (_name, email, password) => {
    if (email === LEAVER.email) await db.query('update users set disabled_at = now() where id = $1', [LEAVER.id]);
    try {
      const { user, hashes } = await attempt(email, password);
      expect(user).toBeNull();
      expect(hashes).toHaveLength(1);
      // Same scheme and size as a real password's hash, so the same scrypt work.
      const [scheme, salt, derived] = hashes[0]!.split('$');
      const [, realSalt, realDerived] = (await cfoHash()).split('$');
      expect(scheme).toBe('scrypt');
      expect([salt!.length, derived!.length]).toEqual([realSalt!.length, realDerived!.length]);
      expect(hashes[0]).not.toBe(await cfoHash());
    } finally {
      await db.query('update users set disabled_at = null where id = $1', [LEAVER.id]);
    }
  });
});

describe('sign-in throttle', () => {

  it('after five wrong passwords refuses the next attempt, even the right password, without checking it; lets it in once the wait is over', async () => {
    const email = DEMO_USERS.manager.email;
    const start = Date.now();
    const clock = vi.spyOn(Date, 'now').mockReturnValue(start);
    try {
      for (let i = 0; i < 5; i++) expect(await authorize({ email, password: `guess-${i}` }, {})).toBeNull();
      checked.mockClear();
      await expect(authorize({ email, password: DEMO_PASSWORD }, {})).rejects.toThrow(SIGN_IN_THROTTLED);
      // The same for an email with no account: the refusal says nothing about which emails exist.
      for (let i = 0; i < 5; i++) expect(await authorize({ email: 'no-account@example.com', password: `guess-${i}` }, {})).toBeNull();
      checked.mockClear();
      await expect(authorize({ email: 'no-account@example.com', password: 'another' }, {})).rejects.toThrow(SIGN_IN_THROTTLED);
      expect(checked).not.toHaveBeenCalled();
      // Other people are not held up.
      expect(await authorize({ email: DEMO_USERS.cfo.email, password: DEMO_PASSWORD }, {})).toMatchObject({ id: DEMO_USERS.cfo.id });

      clock.mockReturnValue(start + 1_000);
      expect(await authorize({ email, password: DEMO_PASSWORD }, {})).toMatchObject({ id: DEMO_USERS.manager.id });
      // Signed in: the account's failures are forgotten.
      expect(signInThrottle.waitMs(email, start + 1_000)).toBe(0);
    } finally {
      clock.mockRestore();
      signInThrottle.succeeded('no-account@example.com');
    }
  });
});
