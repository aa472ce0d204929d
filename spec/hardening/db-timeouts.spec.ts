import pg from 'pg';
import { startCluster, PgCluster } from '../support/pg-cluster';
import { startServer, ServerProcess } from '../support/server-process';
import { basicHeader, rawRequest } from '../support/raw-http';

jest.setTimeout(120000);

// A PostgreSQL cluster of this spec's own, so it can be locked and frozen.
let cluster: PgCluster;
let server: ServerProcess;
const auth = basicHeader('admin@example.com', 'timeout-pass-1');
let accountId: number;

beforeAll(async () => {
  cluster = await startCluster();
  server = await startServer({ DATABASE_URL: cluster.url, ADMIN_PASSWORD: 'timeout-pass-1', DB_STATEMENT_TIMEOUT_MS: '1000', DB_ACQUIRE_TIMEOUT_MS: '1000', DATA_DIR: '/nonexistent-unused' });
  const r = await rawRequest(server.port, { method: 'POST', path: '/api/v2/crm/accounts', headers: { Authorization: auth, 'Content-Type': 'application/json' }, body: '{"name":"t","company_id":1}' });
  accountId = r.json().id as number;
});
afterAll(async () => {
  cluster?.thaw();
  await server?.stop();
  cluster?.destroy();
});

const get = () => rawRequest(server.port, { path: `/api/v2/crm/accounts/${accountId}`, headers: { Authorization: auth } });

describe('database timeouts (item 10)', () => {
  it('when a statement waits past DB_STATEMENT_TIMEOUT_MS, then the answer is a 503 JSON, and the next one works once the wait is over', async () => {
    const locker = new pg.Client({ connectionString: cluster.url });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE');
      const r = await get();
      expect(r.status).toBe(503);
      expect(r.json().error!.code).toBe('database_timeout');
      expect(r.headers['retry-after']).toBe('1');
      await locker.query('ROLLBACK');
      expect((await get()).status).toBe(200);
    } finally {
      await locker.end();
    }
  });

  it('when the database is frozen, then requests are 503 JSON instead of hanging, and it recovers without a restart', async () => {
    cluster.freeze();
    try {
      const r = await get();
      expect(r.status).toBe(503);
      expect(r.json().error).toBeDefined();
    } finally {
      cluster.thaw();
    }
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      status = (await get()).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).toBe(200);
  });
});
