import crypto from 'node:crypto';
import { Knex } from 'knex';
import pg from 'pg';
import { knexForPostgres } from '../../src/db';
import { createUser } from '../../src/domain/users/service';
import { startServer, ServerProcess } from '../support/server-process';
import { withDatabase } from '../support/pg-url';
import { Bouncer, startPgBouncer } from './engines';
import { ADMIN, call, eventually, scratchDatabase } from './support';

jest.setTimeout(120000);

/**
 * Two server processes whose DATABASE_URL is a real PgBouncer in transaction pooling mode with two
 * server connections, so every client session is spread over server connections transaction by
 * transaction. LISTEN needs a session: it goes to DATABASE_DIRECT_URL. The database's default time
 * zone is not UTC, so a session SET that were lost would show.
 */
let db: Awaited<ReturnType<typeof scratchDatabase>>;
let bouncer: Bouncer | undefined;
let servers: ServerProcess[] = [];
let A: string;
let B: string;
let pooled: Knex;
let direct: Knex;

beforeAll(async () => {
  db = await scratchDatabase('v2crm_bouncer');
  direct = knexForPostgres(db.url, 2);
  const name = new URL(db.url).pathname.slice(1);
  await direct.raw(`ALTER DATABASE ${name} SET timezone TO 'America/New_York'`);
  bouncer = await startPgBouncer(Number(new URL(db.url).port || 5432));
  const bouncerUrl = withDatabase(`postgres://postgres@127.0.0.1:${bouncer.port}/`, name);
  pooled = knexForPostgres(bouncerUrl, 6);
  const env = { DATABASE_URL: bouncerUrl, DATABASE_DIRECT_URL: db.url, DATA_DIR: db.dir, ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password };
  const started = await Promise.allSettled([startServer(env), startServer(env)]);
  servers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  for (const s of started) if (s.status === 'rejected') throw s.reason;
  [A, B] = servers.map((s) => `http://127.0.0.1:${s.port}`);
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await pooled?.destroy();
  await direct?.destroy();
  await bouncer?.stop();
  await db?.cleanup();
});

describe('through PgBouncer in transaction pooling mode', () => {
  it('when two servers start at once through the pooler, then the database is migrated and seeded once and both are ready', async () => {
    expect(await direct('orgs').count({ n: '*' })).toEqual([{ n: 1 }]);
    expect((await call(A, 'GET', '/ready')).body).toEqual({ status: 'ready' });
    expect((await call(B, 'GET', '/ready')).body).toEqual({ status: 'ready' });
  });

  it('when many sessions share two server connections, then each of them still works in UTC', async () => {
    // Other clients keep the server connections busy and switching while these ask.
    const zones = await Promise.all(Array.from({ length: 40 }, () => pooled.raw('SHOW TIME ZONE').then((r) => r.rows[0].TimeZone as string)));
    expect(new Set(zones)).toEqual(new Set(['UTC']));
    const plain = new pg.Client({ connectionString: db.url });
    await plain.connect();
    try {
      expect((await plain.query('SHOW TIME ZONE')).rows[0].TimeZone).toBe('America/New_York');
    } finally {
      await plain.end();
    }
  });

  it('when writes, upserts, idempotent retries and streamed lists run concurrently on both servers, then every one succeeds', async () => {
    const tag = crypto.randomBytes(3).toString('hex');
    // One verified login per process first, so the burst below measures the pool, not 120 scrypts.
    for (const base of [A, B]) expect((await call(base, 'GET', '/api/v2/crm/accounts?_limit=1')).status).toBe(200);
    const jobs: Promise<{ status: number }>[] = [];
    for (let i = 0; i < 30; i++) {
      const base = i % 2 ? A : B;
      jobs.push(call(base, 'POST', '/api/v2/crm/accounts', { body: { company_id: 1, name: `Pooled ${tag} ${i}` } }));
      jobs.push(call(base, 'PUT', `/api/v2/crm/accounts/external_id/${tag}-${i % 5}`, { body: { company_id: 1, name: `Upserted ${tag}` } }));
      jobs.push(call(base, 'POST', '/api/v2/crm/accounts', { body: { company_id: 1, name: `Keyed ${tag}` }, headers: { 'Idempotency-Key': `${tag}-${i % 3}` } }));
      jobs.push(call(base, 'GET', '/api/v2/crm/accounts?_order=id'));
    }
    const replies = await Promise.all(jobs);
    expect(replies.filter((r) => ![200, 201].includes(r.status))).toEqual([]);
    expect(await direct('accounts').where('name', 'like', `Pooled ${tag}%`).count({ n: '*' })).toEqual([{ n: 30 }]);
    expect(await direct('accounts').where({ name: `Upserted ${tag}` }).count({ n: '*' })).toEqual([{ n: 5 }]);
    // Keys are per user: three keys, three accounts, however many retries.
    expect(await direct('accounts').where({ name: `Keyed ${tag}` }).count({ n: '*' })).toEqual([{ n: 3 }]);
  });

  it('when a list streams more rows than one cursor batch, then it comes whole while other transactions use the pool', async () => {
    const tag = crypto.randomBytes(3).toString('hex');
    const ops = Array.from({ length: 600 }, (_, i) => ({ action: 'create', data: { company_id: 1, name: `Stream ${tag} ${i}` } }));
    expect((await call(A, 'POST', '/api/v2/crm/accounts/_bulk', { body: { operations: ops } })).status).toBe(200);
    const [list] = await Promise.all([
      call(B, 'GET', `/api/v2/crm/accounts?name__sw=${encodeURIComponent(`Stream ${tag}`)}&_order=id`),
      ...Array.from({ length: 10 }, (_, i) => call(A, 'POST', '/api/v2/crm/accounts', { body: { company_id: 1, name: `Busy ${tag} ${i}` } })),
    ]);
    expect(list.status).toBe(200);
    expect(list.body).toHaveLength(600);
  });

  it('when both servers define custom fields at once (an advisory transaction lock), then every field gets its own key', async () => {
    const defs = await Promise.all(
      Array.from({ length: 6 }, (_, i) => call(i % 2 ? A : B, 'POST', '/api/v2/meta/crm/contacts/custom_fields', { body: { type: 'string', label: `Pooled ${i}` } })),
    );
    expect(defs.map((d) => d.status)).toEqual(Array(6).fill(201));
    expect(new Set(defs.map((d) => Object.keys(d.body)[0])).size).toBe(6);
  });

  it('when a user is disabled, then both servers refuse the cached credentials at once (LISTEN on the direct connection)', async () => {
    const login = { email: `pooled-${crypto.randomBytes(3).toString('hex')}@example.com`, password: 'pooled-pass-1' };
    await createUser(direct, { orgId: 1, email: login.email, password: login.password });
    for (const base of [A, B]) expect((await call(base, 'GET', '/api/v2/crm/accounts?_limit=1', { login })).status).toBe(200);
    await pooled('users').where({ email: login.email }).update({ is_active: false });
    const refused = async (base: string) => (await call(base, 'GET', '/api/v2/crm/accounts?_limit=1', { login })).status === 401;
    expect(await eventually(async () => (await refused(A)) && (await refused(B)), 3000)).toBe(true);
  });
});
