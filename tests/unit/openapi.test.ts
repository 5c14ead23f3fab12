import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from '@/lib/http/openapi';

/** Every route handler under app/api, as its URL path. */
function routePaths(dir = 'app/api', base = '/api'): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const child = path.join(dir, entry.name);
    const url = `${base}/${entry.name.replace(/^\[(.+)\]$/, '{$1}')}`;
    if (fs.existsSync(path.join(child, 'route.ts'))) out.push(url);
    out.push(...routePaths(child, url));
  }
  return out;
}

describe('OpenAPI document', () => {
  it('lists every route handler (next-auth aside)', () => {
    const documented = Object.keys(openApiDocument().paths as object);
    const routes = routePaths().filter((p) => !p.startsWith('/api/auth'));
    expect(routes.length).toBeGreaterThan(5);
    for (const route of routes) expect(documented, route).toContain(route);
  });

  it('derives the usage event schema from the validator', () => {
    const doc = openApiDocument() as { components: { schemas: { UsageEvent: { properties: Record<string, unknown>; required: string[] } } } };
    expect(Object.keys(doc.components.schemas.UsageEvent.properties)).toEqual(
      expect.arrayContaining(['id', 'timestamp', 'provider', 'model', 'usage', 'session', 'workflow_run', 'task', 'user', 'project']),
    );
    expect(doc.components.schemas.UsageEvent.required).toEqual(expect.arrayContaining(['id', 'timestamp', 'provider', 'model']));
  });
});
