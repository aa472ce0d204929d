import { CORE_SCHEMA, load } from 'js-yaml';
import { makeTestApp, TestApp } from './support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
});
afterAll(() => t.close());

describe('documentation served without auth', () => {
  it('when /api/v2/openapi.yaml is fetched, then it is the OpenAPI 3.1 document with every accounts route', async () => {
    const res = await t.anon.get('/api/v2/openapi.yaml');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/yaml/);
    const doc = load(res.text, { schema: CORE_SCHEMA }) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v2/crm/accounts', '/api/v2/crm/accounts/{id}', '/api/v2/meta/crm/accounts']));
  });

  it('when /docs is opened, then a Swagger UI page loads its assets from this server (no CDN)', async () => {
    const page = await t.anon.get('/docs');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/html/);
    expect(page.text).toContain('/api/v2/openapi.yaml');
    expect(page.text).not.toMatch(/https?:\/\//);
    for (const asset of ['/docs/assets/swagger-ui-bundle.js', '/docs/assets/swagger-ui.css']) {
      const res = await t.anon.get(asset);
      expect(res.status).toBe(200);
    }
  });

  it('when the bare host is opened, then it redirects to /docs', async () => {
    const res = await t.anon.get('/');
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/docs');
  });

  it('when /health is asked, then the process answers', async () => {
    const res = await t.anon.get('/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });
});
