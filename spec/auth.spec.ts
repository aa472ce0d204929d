import { makeTestApp, TestApp } from './support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
});
afterAll(() => t.close());

function expect401(res: { status: number; headers: Record<string, string>; body: { error: { code: string; message: string } } }) {
  expect(res.status).toBe(401);
  expect(res.headers['www-authenticate']).toBe('Basic realm="v2crm"');
  expect(res.headers['content-type']).toMatch(/application\/json/);
  expect(res.body.error.code).toBe('unauthorized');
  return res.body;
}

describe('HTTP Basic auth', () => {
  it('when no credentials are sent, then 401 with WWW-Authenticate and a JSON body', async () => {
    expect401(await t.anon.get('/api/v2/crm/accounts'));
    expect401(await t.anon.post('/api/v2/crm/accounts').send({ name: 'x', company_id: 1 }));
    expect401(await t.anon.get('/api/v2/meta/crm/accounts'));
  });

  it('when the password is wrong or the user unknown, then the same 401 body (no user enumeration)', async () => {
    const wrong = expect401(await t.anon.get('/api/v2/crm/accounts').auth(t.admin.email, 'wrong-password'));
    const unknown = expect401(await t.anon.get('/api/v2/crm/accounts').auth('nobody@example.com', 'wrong-password'));
    expect(unknown).toEqual(wrong);
  });

  it('when the header is garbage, then 401', async () => {
    expect401(await t.anon.get('/api/v2/crm/accounts').set('Authorization', 'Basic !!!notbase64'));
    expect401(await t.anon.get('/api/v2/crm/accounts').set('Authorization', 'Bearer abc'));
  });

  it('when the e-mail differs only in case, then the user is recognised', async () => {
    const res = await t.anon.get('/api/v2/crm/accounts').auth(t.admin.email.toUpperCase(), t.admin.password);
    expect(res.status).toBe(200);
  });

  it('when an unknown and a known e-mail are tried, then both take a full password check', async () => {
    // Timing: both paths run scrypt; compare medians loosely so a missing check (≈0 ms) is caught.
    const time = async (email: string) => {
      const samples: number[] = [];
      for (let i = 0; i < 5; i++) {
        const start = process.hrtime.bigint();
        await t.anon.get('/api/v2/crm/accounts').auth(email, `bad-${i}-${Math.random()}`);
        samples.push(Number(process.hrtime.bigint() - start) / 1e6);
      }
      return samples.sort((a, b) => a - b)[2];
    };
    const known = await time(t.admin.email);
    const unknown = await time('ghost@example.com');
    expect(unknown).toBeGreaterThan(known * 0.4);
  });

  it('the OpenAPI document is served without auth', async () => {
    const res = await t.anon.get('/api/v2/openapi.yaml');
    expect(res.status).toBe(200);
    expect(res.text).toContain('openapi: 3.1.0');
  });
});
