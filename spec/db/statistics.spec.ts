import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importAccounts } from '../../src/cli/accounts-transfer';
import { Caller } from '../../src/auth/basic';
import { statisticsKeeper } from '../../src/db/statistics';
import { makeTestApp, TestApp } from '../support/test-app';

jest.setTimeout(300000);

/**
 * Planner statistics exist and stay current without autovacuum (PGlite): ANALYZE after migrations
 * and after an import, and again when enough rows changed (src/db/statistics.ts).
 */
let t: TestApp;
let dir: string;
const caller: Caller = { id: 1, orgId: 1, role: 'admin', email: 'admin@example.com' };
const A = '/api/v2/crm/accounts';

beforeAll(async () => {
  t = await makeTestApp({ bulkMax: 1000 });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'v2crm-stats-'));
});
afterAll(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
  await t.close();
});

const reltuples = async (table: string) =>
  Number((await t.knex.raw(`SELECT reltuples::float8 AS n FROM pg_class WHERE oid = ?::regclass`, [table])).rows[0].n);
const statsRows = async (table: string) =>
  Number((await t.knex.raw(`SELECT count(*)::int AS n FROM pg_stats WHERE schemaname = current_schema() AND tablename = ?`, [table])).rows[0].n);
const isPglite = () => !process.env.TEST_DATABASE_URL;

describe('planner statistics', () => {
  it('when the database is migrated, then every table has been analysed (reltuples is no longer -1)', async () => {
    // The run's template database is made by migrateLatest (spec/support/global-setup.ts); the org,
    // currencies and admin are written after it, so the tables were analysed empty (reltuples 0).
    const never = await t.knex.raw(
      `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'r' AND n.nspname = current_schema() AND c.reltuples < 0`,
    );
    expect(never.rows).toEqual([]);
  });

  it('when accounts are imported, then the accounts table is analysed with the imported rows', async () => {
    const file = path.join(dir, 'accounts.csv');
    const lines = ['external_id,name,company_id,is_customer,address_town'];
    for (let i = 0; i < 400; i++) lines.push(`STAT-${i},Statistics ${i} Ltd,1,${i % 2 ? 'true' : 'false'},Town ${i % 7}`);
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    const summary = await importAccounts(t.knex, caller, file, 'csv');
    expect(summary).toMatchObject({ created: 400, failed: 0 });
    expect(await reltuples('accounts')).toBeGreaterThanOrEqual(400);
    expect(await statsRows('accounts')).toBeGreaterThan(0);
    const town = await t.knex.raw(`SELECT n_distinct FROM pg_stats WHERE schemaname = current_schema() AND tablename = 'accounts' AND attname = 'address_town'`);
    expect(Number(town.rows[0].n_distinct)).toBe(7);
  });

  it('when many rows are written through the API on PGlite, then the changed tables are analysed again without being asked', async () => {
    if (!isPglite()) return; // PostgreSQL has autovacuum for this
    const keeper = statisticsKeeper(t.knex)!;
    expect(keeper).toBeDefined();
    // The timer catches the writes after the last count crossing (a check already running when they
    // came goes round again): nothing below asks for a check.
    keeper.configure({ writesPerCheck: 50, intervalMs: 100 });
    const before = await reltuples('accounts');
    for (let round = 0; round < 2; round++) {
      const operations = Array.from({ length: 150 }, (_, i) => ({ action: 'create', data: { name: `Written ${round}-${i}`, company_id: 1 } }));
      const res = await t.as().post(`${A}/_bulk`).send({ operations });
      expect(res.status).toBe(200);
    }
    let after = await reltuples('accounts');
    for (let i = 0; i < 200 && after < before + 300; i++) {
      await new Promise((r) => setTimeout(r, 50));
      after = await reltuples('accounts');
    }
    keeper.configure({ intervalMs: 0 });
    expect(keeper.analysed).toContain('accounts');
    expect(after).toBeGreaterThanOrEqual(before + 300);
    expect(await t.knex('accounts').count({ n: '*' })).toEqual([{ n: after }]);
  });
});
