import { makeTestApp, TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
});
afterAll(() => t.close());

const accounts = (login: { email: string; password: string }) => t.anon.get('/api/v2/crm/accounts').auth(login.email, login.password);

describe('/api/v2/users', () => {
  it('when an admin lists users, then the organisation\'s users are shown without password hashes', async () => {
    const user = await t.addUser();
    const other = await t.addOrg();
    const res = await t.as().get('/api/v2/users');
    expect(res.status).toBe(200);
    const emails = res.body.map((u: { email: string }) => u.email);
    expect(emails).toEqual(expect.arrayContaining([t.admin.email, user.email]));
    expect(emails).not.toContain(other.admin.email);
    expect(res.body.find((u: { id: number }) => u.id === user.id)).toEqual({
      id: user.id, email: user.email, name: null, role: 'user', is_active: true, created: expect.any(String),
    });
    expect(JSON.stringify(res.body)).not.toMatch(/scrypt|password/);
  });

  it('when a user who is not an admin asks, then 403', async () => {
    const user = await t.addUser();
    expect((await t.as(user).get('/api/v2/users')).status).toBe(403);
    expect((await t.as(user).put(`/api/v2/users/${user.id}`).send({ role: 'admin' })).status).toBe(403);
  });

  it('when an admin sets a password, then the old one fails and the new one works at once (despite the credential cache)', async () => {
    const user = await t.addUser();
    expect((await accounts(user)).status).toBe(200); // now cached
    const res = await t.as().put(`/api/v2/users/${user.id}`).send({ password: 'brand-new-password' });
    expect(res.status).toBe(200);
    expect((await accounts(user)).status).toBe(401);
    expect((await accounts({ email: user.email, password: 'brand-new-password' })).status).toBe(200);
  });

  it('when an admin disables a user, then their cached login is refused at once; enabling lets them back', async () => {
    const user = await t.addUser();
    expect((await accounts(user)).status).toBe(200);
    const off = await t.as().post(`/api/v2/users/${user.id}`).send({ is_active: false });
    expect(off.status).toBe(200);
    expect(off.body.is_active).toBe(false);
    expect((await accounts(user)).status).toBe(401);
    expect((await t.as().put(`/api/v2/users/${user.id}`).send({ is_active: true })).status).toBe(200);
    expect((await accounts(user)).status).toBe(200);
  });

  it('when an admin disables or demotes themselves, then 400 naming the field', async () => {
    const me = (await t.as().get('/api/v2/users')).body.find((u: { email: string }) => u.email === t.admin.email);
    const off = await t.as().put(`/api/v2/users/${me.id}`).send({ is_active: false });
    expect(off.status).toBe(400);
    expect(off.body.error.details[0].field).toBe('is_active');
    const demote = await t.as().put(`/api/v2/users/${me.id}`).send({ role: 'user' });
    expect(demote.body.error.details[0].field).toBe('role');
  });

  it('when an admin adds a user, then 201 and they can log in; the same e-mail again is a 409', async () => {
    const res = await t.as().post('/api/v2/users').send({ email: 'New.Clerk@example.com', password: 'clerk-password', name: 'Clerk' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ email: 'new.clerk@example.com', role: 'user', name: 'Clerk', is_active: true });
    expect((await accounts({ email: 'new.clerk@example.com', password: 'clerk-password' })).status).toBe(200);
    const dup = await t.as().post('/api/v2/users').send({ email: 'NEW.CLERK@example.com', password: 'clerk-password' });
    expect(dup.status).toBe(409);
    expect(dup.body.error.details[0].field).toBe('email');
  });

  it('when the password is short, then 400 naming password', async () => {
    const user = await t.addUser();
    const res = await t.as().put(`/api/v2/users/${user.id}`).send({ password: 'short' });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].field).toBe('password');
  });

  it('when a user of another organisation is addressed, then 404', async () => {
    const other = await t.addOrg();
    expect((await t.as().get(`/api/v2/users/${other.admin.id}`)).status).toBe(404);
    expect((await t.as().put(`/api/v2/users/${other.admin.id}`).send({ is_active: false })).status).toBe(404);
  });
});
