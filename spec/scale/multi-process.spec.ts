import crypto from 'node:crypto';
import path from 'node:path';
import { Knex } from 'knex';
import { knexForPostgres } from '../../src/db';
import { createUser } from '../../src/domain/users/service';
import { hashPassword } from '../../src/domain/users/password';
import { startServer, ServerProcess } from '../support/server-process';
import { startSmtp } from '../mail/smtp';
import { ADMIN, call, eventually, scratchDatabase } from './support';

jest.setTimeout(120000);

/**
 * Two real server processes on one PostgreSQL database, started at the same moment (so they race
 * on migrating and seeding too), sharing one ATTACHMENTS_DIR, both running the mail worker.
 */
let db: Awaited<ReturnType<typeof scratchDatabase>>;
let smtp: Awaited<ReturnType<typeof startSmtp>>;
let servers: ServerProcess[] = [];
let A: string;
let B: string;
let knex: Knex;

beforeAll(async () => {
  db = await scratchDatabase();
  smtp = await startSmtp();
  const env = {
    DATABASE_URL: db.url,
    DATA_DIR: db.dir,
    ATTACHMENTS_DIR: path.join(db.dir, 'shared-attachments'),
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(smtp.port),
    MAIL_POLL_SECONDS: '1',
    MAIL_FROM: 'crm@example.com',
  };
  const started = await Promise.allSettled([startServer(env), startServer(env)]);
  servers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  for (const s of started) if (s.status === 'rejected') throw s.reason;
  [A, B] = servers.map((s) => `http://127.0.0.1:${s.port}`);
  knex = knexForPostgres(db.url, 2);
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await knex?.destroy();
  await smtp?.close();
  await db?.cleanup();
});

describe('two server processes on one database', () => {
  it('when both start at once on an empty database, then it is migrated and seeded once', async () => {
    expect(await knex('orgs').count({ n: '*' })).toEqual([{ n: 1 }]);
    expect(await knex('users').count({ n: '*' })).toEqual([{ n: 1 }]);
    expect((await call(A, 'GET', '/ready')).body).toEqual({ status: 'ready' });
    expect((await call(B, 'GET', '/ready')).body).toEqual({ status: 'ready' });
  });

  it('when upserts on one external_id race through both processes, then one account exists', async () => {
    const ext = `erp-${crypto.randomBytes(4).toString('hex')}`;
    const replies = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        call(i % 2 ? A : B, 'PUT', `/api/v2/crm/accounts/external_id/${ext}`, { body: { company_id: 1, name: `Racer ${i}` } }),
      ),
    );
    expect(replies.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    expect(new Set(replies.map((r) => r.body.id)).size).toBe(1);
    expect(await knex('accounts').where({ external_id: ext }).count({ n: '*' })).toEqual([{ n: 1 }]);
  });

  it('when one Idempotency-Key is sent to both processes at once, then the write happens once and both get its answer', async () => {
    const key = crypto.randomBytes(8).toString('hex');
    const name = `Idem ${key}`;
    const send = (base: string) => call(base, 'POST', '/api/v2/crm/accounts', { body: { company_id: 1, name }, headers: { 'Idempotency-Key': key } });
    const [a, b] = await Promise.all([send(A), send(B)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body.id).toBe(b.body.id);
    expect([a.headers.get('idempotent-replayed'), b.headers.get('idempotent-replayed')].sort()).toEqual(['true', null].sort());
    expect(await knex('accounts').where({ name }).count({ n: '*' })).toEqual([{ n: 1 }]);
  });

  it('when two processes update from the same ETag with If-Match, then the second is a 412 and no update is lost', async () => {
    const created = await call(A, 'POST', '/api/v2/crm/accounts', { body: { company_id: 1, name: 'Contended' } });
    const etag = created.headers.get('etag')!;
    const first = await call(A, 'PUT', `/api/v2/crm/accounts/${created.body.id}`, { body: { notes: 'from A' }, headers: { 'If-Match': etag } });
    const second = await call(B, 'PUT', `/api/v2/crm/accounts/${created.body.id}`, { body: { notes: 'from B' }, headers: { 'If-Match': etag } });
    expect([first.status, second.status]).toEqual([200, 412]);
    expect((await call(B, 'GET', `/api/v2/crm/accounts/${created.body.id}`)).body.notes).toBe('from A');
  });

  it('when a custom field is defined through one process, then the other accepts and lists it at once', async () => {
    const def = await call(A, 'POST', '/api/v2/meta/crm/accounts/custom_fields', { body: { type: 'integer', label: 'Seats' } });
    expect(def.status).toBe(201);
    const key = Object.keys(def.body)[0];
    expect((await call(B, 'GET', '/api/v2/meta/crm/accounts')).body.custom_fields[key]).toEqual({ type: 'integer', label: 'Seats' });
    const written = await call(B, 'POST', '/api/v2/crm/accounts', { body: { company_id: 1, name: 'Seated', custom_fields: { [key]: 12 } } });
    expect(written.status).toBe(200);
    expect(written.body.custom_fields[key]).toBe(12);
  });

  it('when a company changes in the database, then both processes serve the new company before their cache TTL', async () => {
    const account = await call(A, 'POST', '/api/v2/crm/accounts', { body: { company_id: 1, name: 'Company cache' } });
    await call(B, 'GET', `/api/v2/crm/accounts/${account.body.id}`); // warms B's company cache
    const name = `Renamed ${crypto.randomBytes(3).toString('hex')}`;
    await knex('companies').where({ id: 1 }).update({ name });
    // The cache would serve the old name for 10 s; LISTEN/NOTIFY makes it go well before that.
    const fresh = async (base: string) => (await call(base, 'GET', `/api/v2/crm/accounts/${account.body.id}`)).body.company.name === name;
    expect(await eventually(async () => (await fresh(A)) && (await fresh(B)), 3000)).toBe(true);
  });

  it('when a user is disabled, then both processes refuse the cached credentials before the cache TTL', async () => {
    const login = { email: `scripts-${crypto.randomBytes(3).toString('hex')}@example.com`, password: 'scripts-pass-1' };
    const made = await call(A, 'GET', '/api/v2/crm/accounts?_limit=1'); // the admin's credentials work
    expect(made.status).toBe(200);
    await createUser(knex, { orgId: 1, email: login.email, password: login.password, role: 'admin' });
    for (const base of [A, B]) expect((await call(base, 'GET', '/api/v2/crm/accounts?_limit=1', { login })).status).toBe(200);
    await knex('users').where({ email: login.email }).update({ is_active: false });
    // Verified credentials are cached for 60 s; the NOTIFY from the users trigger clears them.
    const refused = async (base: string) => (await call(base, 'GET', '/api/v2/crm/accounts?_limit=1', { login })).status === 401;
    expect(await eventually(async () => (await refused(A)) && (await refused(B)), 3000)).toBe(true);
  });

  it('when a password is changed, then the old one stops working in both processes before the cache TTL', async () => {
    const login = { email: `rotate-${crypto.randomBytes(3).toString('hex')}@example.com`, password: 'old-pass-123' };
    await createUser(knex, { orgId: 1, email: login.email, password: login.password });
    for (const base of [A, B]) expect((await call(base, 'GET', '/api/v2/crm/accounts?_limit=1', { login })).status).toBe(200);
    await knex('users').where({ email: login.email }).update({ password_hash: await hashPassword('new-pass-456') });
    const refused = async (base: string) => (await call(base, 'GET', '/api/v2/crm/accounts?_limit=1', { login })).status === 401;
    expect(await eventually(async () => (await refused(A)) && (await refused(B)), 3000)).toBe(true);
    expect((await call(B, 'GET', '/api/v2/crm/accounts?_limit=1', { login: { ...login, password: 'new-pass-456' } })).status).toBe(200);
  });

  it('when e-mail is queued through both processes, then the mail workers of both send each one exactly once', async () => {
    const account = await call(A, 'POST', '/api/v2/crm/accounts', { body: { company_id: 1, name: 'Mailed', email: 'ap@customer.example' } });
    const before = smtp.messages.length;
    const ids: number[] = [];
    for (let i = 0; i < 20; i++) {
      const r = await call(i % 2 ? A : B, 'POST', `/api/v2/crm/accounts/${account.body.id}/emails`, {
        body: { recipients: ['ap@customer.example'], subject: `Reminder ${i}`, html: '<p>Please pay</p>' },
      });
      expect(r.status).toBe(201);
      ids.push(r.body.id);
    }
    const allSent = async () => Number((await knex('account_emails').whereIn('id', ids).where({ status: 'sent' }).count({ n: '*' }))[0].n) === ids.length;
    expect(await eventually(allSent, 30000)).toBe(true);
    const subjects = smtp.messages.slice(before).map((m) => /^Subject: (.*)$/m.exec(m.raw)?.[1]?.trim());
    expect(subjects.sort()).toEqual(Array.from({ length: 20 }, (_, i) => `Reminder ${i}`).sort());
  });

  it('when a file is uploaded through one process, then the other downloads the same bytes', async () => {
    const account = await call(A, 'POST', '/api/v2/crm/accounts', { body: { company_id: 1, name: 'Files' } });
    const bytes = crypto.randomBytes(50_000);
    const form = new FormData();
    form.append('attachment', new Blob([bytes], { type: 'application/pdf' }), 'contract.pdf');
    const up = await fetch(`${A}/api/v2/crm/accounts/${account.body.id}/attachments`, {
      method: 'POST',
      headers: { Authorization: `Basic ${Buffer.from(`${ADMIN.email}:${ADMIN.password}`).toString('base64')}` },
      body: form,
    });
    expect(up.status).toBe(201);
    const { id } = (await up.json()) as { id: number };
    const down = await fetch(`${B}/api/v2/crm/attachments/${id}/download`, {
      headers: { Authorization: `Basic ${Buffer.from(`${ADMIN.email}:${ADMIN.password}`).toString('base64')}` },
    });
    expect(down.status).toBe(200);
    expect(Buffer.from(await down.arrayBuffer()).equals(bytes)).toBe(true);
  });
});
