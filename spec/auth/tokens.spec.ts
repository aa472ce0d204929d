import crypto from 'node:crypto';
import { makeTestApp, TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
});
afterAll(() => t.close());

interface Created {
  id: number;
  name: string;
  prefix: string;
  token: string;
  created: string;
  expires_at: string | null;
  last_used_at: string | null;
}

async function newToken(login = t.admin, body: Record<string, unknown> = { name: 'script' }): Promise<Created> {
  const res = await t.as(login).post('/api/v2/auth/tokens').send(body);
  expect(res.status).toBe(201);
  return res.body as Created;
}

const bearer = (token: string) => t.anon.get('/api/v2/crm/accounts').set('Authorization', `Bearer ${token}`);

describe('API tokens', () => {
  it('when a token is created, then it is shown once with its prefix and no expiry, and only its SHA-256 is stored', async () => {
    const created = await newToken(t.admin, { name: 'nightly sync' });
    expect(created.token).toMatch(/^v2crm_[A-Za-z0-9_-]{43}$/);
    expect(created.prefix).toBe(created.token.slice(0, 12));
    expect(created).toMatchObject({ name: 'nightly sync', expires_at: null, last_used_at: null });
    const row = await t.knex('api_tokens').where({ id: created.id }).first();
    expect(row.token_hash).toBe(crypto.createHash('sha256').update(created.token).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(created.token);
    const list = await t.as().get('/api/v2/auth/tokens');
    expect(list.status).toBe(200);
    expect(JSON.stringify(list.body)).not.toContain(created.token);
    expect(list.body).toContainEqual(expect.objectContaining({ id: created.id, name: 'nightly sync', prefix: created.prefix }));
  });

  it('when a token is sent as a Bearer token, then the request is the owner\'s', async () => {
    const user = await t.addUser();
    const { token } = await newToken(user);
    const res = await t.anon.post('/api/v2/crm/accounts').set('Authorization', `Bearer ${token}`).send({ name: 'By token', company_id: 1 });
    expect(res.status).toBe(200);
    const row = await t.knex('accounts').where({ id: res.body.id }).first();
    expect(row.created_by).toBe(user.id);
  });

  it('when a token is the password in HTTP Basic with its owner\'s e-mail, then it works', async () => {
    const user = await t.addUser();
    const { token } = await newToken(user);
    expect((await t.anon.get('/api/v2/crm/accounts').auth(user.email.toUpperCase(), token)).status).toBe(200);
  });

  it('when a token is the Basic password of another e-mail, then 401', async () => {
    const user = await t.addUser();
    const { token } = await newToken(user);
    expect((await t.anon.get('/api/v2/crm/accounts').auth(t.admin.email, token)).status).toBe(401);
  });

  it('when a token is revoked, then the very next request with it is a 401 and it leaves the list', async () => {
    const created = await newToken();
    expect((await bearer(created.token)).status).toBe(200);
    expect((await t.as().delete(`/api/v2/auth/tokens/${created.id}`)).status).toBe(204);
    const res = await bearer(created.token);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthorized');
    expect((await t.anon.get('/api/v2/crm/accounts').auth(t.admin.email, created.token)).status).toBe(401);
    const list = await t.as().get('/api/v2/auth/tokens');
    expect(list.body.map((x: { id: number }) => x.id)).not.toContain(created.id);
  });

  it('when a token is revoked twice or by someone else, then 404', async () => {
    const created = await newToken();
    const other = await t.addUser();
    expect((await t.as(other).delete(`/api/v2/auth/tokens/${created.id}`)).status).toBe(404);
    expect((await t.as().delete(`/api/v2/auth/tokens/${created.id}`)).status).toBe(204);
    expect((await t.as().delete(`/api/v2/auth/tokens/${created.id}`)).status).toBe(404);
  });

  it('when a token has expired, then 401', async () => {
    const created = await newToken(t.admin, { name: 'short-lived', expires_in_days: 1 });
    expect(Date.parse(created.expires_at!) - Date.now()).toBeGreaterThan(23 * 3600 * 1000);
    expect((await bearer(created.token)).status).toBe(200);
    await t.knex('api_tokens').where({ id: created.id }).update({ expires_at: t.knex.raw("now() - interval '1 second'") });
    expect((await bearer(created.token)).status).toBe(401);
  });

  it('when a token is used, then its last-used time is recorded', async () => {
    const created = await newToken();
    const before = Date.now() - 1000;
    expect((await bearer(created.token)).status).toBe(200);
    const list = await t.as().get('/api/v2/auth/tokens');
    const listed = list.body.find((x: { id: number }) => x.id === created.id);
    expect(Date.parse(listed.last_used_at)).toBeGreaterThanOrEqual(before);
  });

  it('when the token\'s user is disabled, then the token is a 401', async () => {
    const user = await t.addUser();
    const { token } = await newToken(user);
    await t.as().put(`/api/v2/users/${user.id}`).send({ is_active: false }).expect(200);
    expect((await bearer(token)).status).toBe(401);
  });

  it('when a token tries to create a token, then 403', async () => {
    const { token } = await newToken();
    const res = await t.anon.post('/api/v2/auth/tokens').set('Authorization', `Bearer ${token}`).send({ name: 'child' });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(/password/);
  });

  it('when the name is missing or the expiry out of range, then 400 naming the field', async () => {
    const noName = await t.as().post('/api/v2/auth/tokens').send({});
    expect(noName.status).toBe(400);
    expect(noName.body.error.details).toEqual([{ field: 'name', message: 'is required' }]);
    const badExpiry = await t.as().post('/api/v2/auth/tokens').send({ name: 'x', expires_in_days: 0 });
    expect(badExpiry.status).toBe(400);
    expect(badExpiry.body.error.details[0].field).toBe('expires_in_days');
  });

  it('when an unknown token is sent, then 401', async () => {
    expect((await bearer(`v2crm_${crypto.randomBytes(32).toString('base64url')}`)).status).toBe(401);
  });
});
