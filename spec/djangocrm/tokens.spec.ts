import express from 'express';
import pino from 'pino';
import supertest from 'supertest';
import { createApp } from '../../src/app';
import { makeTestApp, TestApp } from '../support/test-app';
import { login } from './support';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
});
afterAll(async () => t.close());

/** A second server process on the same database (another app over the same knex). */
function secondApp(jwtSecret?: string) {
  const app = express();
  app.use(
    createApp({
      knex: t.knex,
      log: pino({ level: 'silent' }),
      config: {
        bodyLimit: 1024 * 1024,
        maxLimit: 10000,
        bulkMax: 1000,
        idempotencyTtlMs: 3600_000,
        attachmentsDir: t.attachmentsDir,
        attachmentMaxBytes: 1024 * 1024,
        mail: { smtpConfigured: false, defaultFrom: 'crm@example.com' },
        djangocrm: { jwtSecret, accessTtlSeconds: 3600, refreshTtlSeconds: 86400 },
      },
    }),
  );
  return app;
}

describe('the signing secret', () => {
  it('when JWT_SECRET is unset, then a generated secret is kept in the database and another process accepts the tokens', async () => {
    const s = await login(t);
    const rows = await t.knex('djangocrm_settings').where({ key: 'jwt_secret' }).select('value');
    expect(rows).toHaveLength(1);
    expect(rows[0].value.length).toBeGreaterThanOrEqual(48);
    const res = await supertest(secondApp()).get('/api/auth/me/').set('Authorization', `Bearer ${s.access}`);
    expect(res.status).toBe(200);
  });

  it('when another process signs with a different JWT_SECRET, then tokens of the stored secret are refused there', async () => {
    const s = await login(t);
    const res = await supertest(secondApp('x'.repeat(40))).get('/api/accounts/').set('Authorization', `Bearer ${s.access}`);
    expect(res.status).toBe(401);
  });

  it('when a refresh token is rotated by one process, then another process refuses it too', async () => {
    const s = await login(t);
    expect((await supertest(t.app).post('/api/auth/refresh-token/').send({ refresh: s.refresh })).status).toBe(200);
    expect((await supertest(secondApp()).post('/api/auth/refresh-token/').send({ refresh: s.refresh })).status).toBe(401);
  });

  it('when two processes use the same refresh token at once, then exactly one succeeds', async () => {
    const s = await login(t);
    const [a, b] = await Promise.all([
      supertest(t.app).post('/api/auth/refresh-token/').send({ refresh: s.refresh }),
      supertest(secondApp()).post('/api/auth/refresh-token/').send({ refresh: s.refresh }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 401]);
  });

  it('when the user is disabled, then their access token stops working', async () => {
    const user = await t.addUser();
    const s = await login(t, user);
    await t.knex('users').where({ id: user.id }).update({ is_active: false });
    expect((await supertest(t.app).get('/api/accounts/').set('Authorization', `Bearer ${s.access}`)).status).toBe(401);
  });
});
