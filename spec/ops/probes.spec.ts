import path from 'node:path';
import { Knex } from 'knex';
import { makeTestApp, TestApp } from '../support/test-app';
import { freshDatabase } from '../support/fresh-db';
import { runCli } from '../support/server-process';
import { knexForPglite, knexForPostgres, openPglite } from '../../src/db';
import { MIGRATION_NAMES } from '../../src/db/migrate';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('/health and /ready', () => {
  it('when the database is migrated to this build, then /ready answers 200 ready', async () => {
    const res = await t.anon.get('/ready');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ready' });
  });

  it('when the database carries a migration this build does not know, then /ready is a 503 naming it', async () => {
    await t.knex('knex_migrations').insert({ name: '999_from_the_future', batch: 99, migration_time: new Date() });
    try {
      const res = await t.anon.get('/ready');
      expect(res.status).toBe(503);
      expect(res.body.reason).toMatch(/newer v2crm.*999_from_the_future/);
      // The process itself is still up: a load balancer takes it out of rotation, nothing restarts it.
      expect((await t.anon.get('/health')).status).toBe(200);
    } finally {
      await t.knex('knex_migrations').where({ name: '999_from_the_future' }).delete();
    }
  });

  it('when a migration of this build is not applied, then /ready is a 503 naming it as pending', async () => {
    const last = MIGRATION_NAMES[MIGRATION_NAMES.length - 1];
    const [row] = await t.knex('knex_migrations').where({ name: last }).delete().returning('*');
    try {
      const res = await t.anon.get('/ready');
      expect(res.status).toBe(503);
      expect(res.body.reason).toContain(`pending migrations: ${last}`);
    } finally {
      await t.knex('knex_migrations').insert(row);
    }
  });
});

/** The fresh database's knex, for the test to tamper with between CLI runs. */
async function open(env: Record<string, string>): Promise<Knex> {
  if (env.DATABASE_URL) return knexForPostgres(env.DATABASE_URL, 1);
  return knexForPglite(await openPglite(path.join(env.DATA_DIR, 'pglite')));
}

describe('serve on a database of another version', () => {
  it('when migrations are ahead of the code, then serve refuses to start and says why', async () => {
    const db = await freshDatabase({ initdb: true });
    try {
      expect((await runCli(['migrate'], db.env)).code).toBe(0);
      const knex = await open(db.env);
      await knex('knex_migrations').insert({ name: '999_from_the_future', batch: 99, migration_time: new Date() });
      await knex.destroy();
      const r = await runCli(['serve'], { ...db.env, PORT: '0', HOST: '127.0.0.1' });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/refusing to start: the database was migrated by a newer v2crm \(migrations unknown to this version: 999_from_the_future\)/);
    } finally {
      await db.cleanup();
    }
  });

  it('when migrations are behind and MIGRATE_ON_START=false, then serve refuses to start and names the pending ones', async () => {
    const db = await freshDatabase({ initdb: true });
    try {
      const r = await runCli(['serve'], { ...db.env, PORT: '0', HOST: '127.0.0.1', MIGRATE_ON_START: 'false' });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`refusing to start: the database is behind this version of v2crm (pending migrations: ${MIGRATION_NAMES.join(', ')})`);
    } finally {
      await db.cleanup();
    }
  });
});
