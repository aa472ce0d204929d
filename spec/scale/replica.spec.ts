import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Knex } from 'knex';
import { knexForPostgres } from '../../src/db';
import { startServer, ServerProcess } from '../support/server-process';
import { Cluster, startPrimaryAndStandby } from './engines';
import { ADMIN, call, eventually } from './support';

jest.setTimeout(180000);

/**
 * A real primary and a pg_basebackup hot standby (streaming replication) started by the test, and a
 * server with DATABASE_REPLICA_URL. Replay on the standby is paused to make it lag on purpose.
 */
let clusters: Awaited<ReturnType<typeof startPrimaryAndStandby>> | undefined;
let server: ServerProcess | undefined;
let base: string;
let primary: Knex;
let standby: Knex;
let dataDir: string;

const url = (c: Cluster) => `postgres://postgres@127.0.0.1:${c.port}/v2crm`;
/** The server's debug lines saying where each lag-tolerant read went. */
const reads = () => server!.logs.filter((l) => typeof l.read === 'string').map((l) => l.read as string);

beforeAll(async () => {
  clusters = await startPrimaryAndStandby();
  const admin = knexForPostgres(`postgres://postgres@127.0.0.1:${clusters.primary.port}/postgres`, 1);
  await admin.raw('CREATE DATABASE v2crm');
  await admin.destroy();
  primary = knexForPostgres(url(clusters.primary), 2);
  standby = knexForPostgres(url(clusters.standby), 2);
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'v2crm-replica-'));
  server = await startServer({
    DATABASE_URL: url(clusters.primary),
    DATABASE_REPLICA_URL: url(clusters.standby),
    DATA_DIR: dataDir,
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    LOG_LEVEL: 'debug',
  });
  base = `http://127.0.0.1:${server.port}`;
});

afterAll(async () => {
  await server?.stop();
  await primary?.destroy();
  await standby?.destroy();
  clusters?.cleanup();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

async function caughtUp(): Promise<boolean> {
  const [p, r] = await Promise.all([
    primary.raw('SELECT pg_current_wal_lsn() AS lsn'),
    standby.raw('SELECT pg_last_wal_replay_lsn() AS lsn'),
  ]);
  return (await primary.raw('SELECT ?::pg_lsn <= ?::pg_lsn AS ok', [p.rows[0].lsn, r.rows[0].lsn])).rows[0].ok;
}

describe('a read replica (DATABASE_REPLICA_URL)', () => {
  it('when the standby has replayed every write, then a list is read from it and is complete', async () => {
    const name = `Replicated ${crypto.randomBytes(3).toString('hex')}`;
    expect((await call(base, 'POST', '/api/v2/crm/accounts', { body: { company_id: 1, name } })).status).toBe(200);
    expect(await eventually(caughtUp, 20000)).toBe(true);
    const before = reads().length;
    const list = await call(base, 'GET', `/api/v2/crm/accounts?name=${encodeURIComponent(name)}`);
    expect(list.body.map((a: { name: string }) => a.name)).toEqual([name]);
    expect(reads().slice(before)).toEqual(['replica']);
  });

  it('when the standby lags, then a client still reads its own write at once (from the primary)', async () => {
    await standby.raw('SELECT pg_wal_replay_pause()');
    try {
      const name = `Fresh ${crypto.randomBytes(3).toString('hex')}`;
      const created = await call(base, 'POST', '/api/v2/crm/accounts', { body: { company_id: 1, name } });
      expect(created.status).toBe(200);
      // The standby really does not have it yet...
      expect(await standby('accounts').where({ name }).count({ n: '*' })).toEqual([{ n: 0 }]);
      const before = reads().length;
      // ...yet the list, the paged list and the history right after the write all show it.
      const list = await call(base, 'GET', `/api/v2/crm/accounts?name=${encodeURIComponent(name)}`);
      expect(list.body.map((a: { id: number }) => a.id)).toEqual([created.body.id]);
      const paged = await call(base, 'GET', `/api/v2/crm/accounts?name=${encodeURIComponent(name)}&_page=1&_limit=10`);
      expect(paged.headers.get('x-pagination-total')).toBe('1');
      const updated = await call(base, 'PUT', `/api/v2/crm/accounts/${created.body.id}`, { body: { notes: 'after' } });
      expect(updated.status).toBe(200);
      const history = await call(base, 'GET', `/api/v2/crm/accounts/${created.body.id}/history`);
      expect(history.body.map((h: { action: string }) => h.action)).toEqual(expect.arrayContaining(['create', 'update']));
      expect(reads().slice(before)).toEqual(['primary', 'primary', 'primary']);
    } finally {
      await standby.raw('SELECT pg_wal_replay_resume()');
    }
  });

  it('when the standby is down, then lists are served by the primary', async () => {
    clusters!.standby.stop();
    const name = `Standby down ${crypto.randomBytes(3).toString('hex')}`;
    expect((await call(base, 'POST', '/api/v2/crm/accounts', { body: { company_id: 1, name } })).status).toBe(200);
    const list = await call(base, 'GET', `/api/v2/crm/accounts?name=${encodeURIComponent(name)}`);
    expect(list.status).toBe(200);
    expect(list.body.map((a: { name: string }) => a.name)).toEqual([name]);
  });
});
