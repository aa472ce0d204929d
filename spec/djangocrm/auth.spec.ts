import supertest from 'supertest';
import { makeTestApp, TestApp } from '../support/test-app';
import { bearer, encodeId, login } from './support';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
});
afterAll(async () => t.close());

describe('POST /api/auth/login/', () => {
  it('when e-mail and password are right, then it answers both token shapes and the current org', async () => {
    const res = await supertest(t.app).post('/api/auth/login/').send({ email: t.admin.email, password: t.admin.password });
    expect(res.status).toBe(200);
    expect(res.body.access_token).toMatch(/^ey[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(res.body.refresh_token).toMatch(/^ey/);
    expect(res.body.current_org).toEqual({ id: encodeId('org', 1), name: expect.any(String) });
    expect(res.body.user.organizations[0]).toMatchObject({ id: encodeId('org', 1), role: 'ADMIN' });
    expect(res.body.error).toBe(false);
    expect(res.body.tokens).toEqual({ email: t.admin.email, access_token: res.body.access_token, refresh_token: res.body.refresh_token });
  });

  it('when the body is a form, then it logs in the same', async () => {
    const res = await supertest(t.app).post('/api/auth/login').type('form').send({ email: t.admin.email, password: t.admin.password });
    expect(res.status).toBe(200);
    expect(res.body.access_token).toBeDefined();
  });

  it('when the password is wrong, then it answers 400 with non_field_errors', async () => {
    const res = await supertest(t.app).post('/api/auth/login/').send({ email: t.admin.email, password: 'wrong-password' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ non_field_errors: ['Invalid email or password'] });
  });

  it('when a field is missing, then it answers 400 naming it', async () => {
    const res = await supertest(t.app).post('/api/auth/login/').send({ email: t.admin.email });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ password: ['This field is required.'] });
  });

  it('when org_id names another organisation, then it answers 403', async () => {
    const other = await t.addOrg();
    const res = await supertest(t.app).post('/api/auth/login/').send({ email: t.admin.email, password: t.admin.password, org_id: encodeId('org', other.orgId) });
    expect(res.status).toBe(403);
    expect(res.body.detail).toEqual(expect.any(String));
  });

  it('when org_id is not a UUID, then it answers 400', async () => {
    const res = await supertest(t.app).post('/api/auth/login/').send({ email: t.admin.email, password: t.admin.password, org_id: 'nope' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ org_id: ['Must be a valid UUID.'] });
  });
});

describe('POST /api/auth/refresh-token/', () => {
  it('when a refresh token is used, then a new pair comes back and the used token is refused afterwards', async () => {
    const s = await login(t);
    const first = await supertest(t.app).post('/api/auth/refresh-token/').send({ refresh: s.refresh });
    expect(first.status).toBe(200);
    expect(Object.keys(first.body).sort()).toEqual(['access', 'refresh']);
    const me = await supertest(t.app).get('/api/auth/me/').set('Authorization', `Bearer ${first.body.access}`);
    expect(me.status).toBe(200);
    const reused = await supertest(t.app).post('/api/auth/refresh-token/').send({ refresh: s.refresh });
    expect(reused.status).toBe(401);
    expect(reused.body.detail).toEqual(expect.any(String));
  });

  it('when the refresh field is missing, then it answers 400', async () => {
    const res = await supertest(t.app).post('/api/auth/refresh-token/').send({});
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ refresh: ['This field is required.'] });
  });

  it('when an access token is sent as the refresh token, then it answers 401', async () => {
    const s = await login(t);
    const res = await supertest(t.app).post('/api/auth/refresh-token/').send({ refresh: s.access });
    expect(res.status).toBe(401);
  });

  it('when the refresh token was logged out, then it is refused', async () => {
    const s = await login(t);
    expect((await supertest(t.app).post('/api/auth/logout/').send({ refresh: s.refresh })).status).toBe(200);
    expect((await supertest(t.app).post('/api/auth/refresh-token/').send({ refresh: s.refresh })).status).toBe(401);
  });
});

describe('GET /api/auth/me/ and POST /api/auth/switch-org/', () => {
  it('when called with a Bearer access token, then me answers the user and their organisations', async () => {
    const s = await login(t);
    const res = await bearer(t, s).get('/api/auth/me/');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: encodeId('profile', 1), email: t.admin.email, is_active: true });
    expect(res.body.organizations).toHaveLength(1);
  });

  it('when switching to the own organisation, then new tokens and the profile come back and the old refresh token is revoked', async () => {
    const s = await login(t);
    const res = await bearer(t, s).post('/api/auth/switch-org/').send({ org_id: s.org, refresh: s.refresh });
    expect(res.status).toBe(200);
    expect(res.body.current_org.id).toBe(s.org);
    expect(res.body.profile.role).toBe('ADMIN');
    expect((await supertest(t.app).post('/api/auth/refresh-token/').send({ refresh: s.refresh })).status).toBe(401);
  });

  it('when switching to an organisation the user is not a member of, then it answers 403', async () => {
    const other = await t.addOrg();
    const s = await login(t);
    const res = await bearer(t, s).post('/api/auth/switch-org/').send({ org_id: encodeId('org', other.orgId) });
    expect(res.status).toBe(403);
  });
});

describe('credentials on /api/accounts/', () => {
  it('when no credentials are sent, then it answers 401 with detail and WWW-Authenticate', async () => {
    const res = await supertest(t.app).get('/api/accounts/');
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ detail: 'Authentication credentials were not provided.' });
    expect(res.headers['www-authenticate']).toBe('Bearer realm="api"');
  });

  it('when the Bearer token is forged, then it answers 401', async () => {
    const s = await login(t);
    const [h, p] = s.access.split('.');
    const res = await supertest(t.app).get('/api/accounts/').set('Authorization', `Bearer ${h}.${p}.AAAA`);
    expect(res.status).toBe(401);
    expect(res.body.detail).toEqual(expect.any(String));
  });

  it('when HTTP Basic credentials are sent, then the list answers', async () => {
    const res = await t.as().get('/api/accounts/');
    expect(res.status).toBe(200);
    expect(res.body.per_page).toBe(10);
  });

  it('when HTTP Basic credentials are wrong, then it answers 401', async () => {
    const res = await supertest(t.app).get('/api/accounts/').auth(t.admin.email, 'wrong-password');
    expect(res.status).toBe(401);
  });

  it('when an org header names the caller\'s organisation, then it is honoured', async () => {
    const s = await login(t);
    for (const h of ['org', 'X-Organization-ID', 'organization-id']) {
      expect((await bearer(t, s).get('/api/accounts/').set(h, s.org)).status).toBe(200);
    }
  });

  it('when an org header names another organisation, then it answers 403', async () => {
    const other = await t.addOrg();
    const s = await login(t);
    for (const h of ['org', 'X-Organization-ID', 'organization-id']) {
      const res = await bearer(t, s).get('/api/accounts/').set(h, encodeId('org', other.orgId));
      expect(res.status).toBe(403);
      expect(res.body.detail).toEqual(expect.any(String));
    }
  });

  it('when an org header is not a UUID, then it answers 403', async () => {
    const s = await login(t);
    expect((await bearer(t, s).get('/api/accounts/').set('org', 'garbage')).status).toBe(403);
  });
});
