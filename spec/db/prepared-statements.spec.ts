import { Knex } from 'knex';
import { knexForPostgres, PREPARED } from '../../src/db';
import { makeTestApp, TestApp } from '../support/test-app';
import { withDatabase } from '../support/pg-url';

/**
 * Hot reads run as named prepared statements on a PostgreSQL server (src/db/prepared.ts), and the
 * server keeps answering when a migration changes a table under one. On PGlite `prepare` is dropped.
 * pg_prepared_statements is per session, so each check pins one connection with a transaction.
 */
let t: TestApp;
const onServer = process.env.TEST_DATABASE_URL !== undefined;
const serverIt = onServer ? it : it.skip;

beforeAll(async () => {
  t = await makeTestApp();
  await t.knex.raw('CREATE TABLE prep_probe (id int PRIMARY KEY, name text)');
  await t.knex('prep_probe').insert([{ id: 1, name: 'one' }, { id: 2, name: 'two' }]);
});
afterAll(() => t.close());

const probe = (db: Knex, id: number) => db('prep_probe').where('id', id).first('prep_probe.*').options(PREPARED);
const preparedNames = async (db: Knex): Promise<string[]> =>
  (await db.raw(`SELECT name FROM pg_prepared_statements WHERE name LIKE 'v2crm\\_%'`)).rows.map((r: { name: string }) => r.name);

it('when a query is marked PREPARED, then it answers as the same query unmarked does', async () => {
  expect(await probe(t.knex, 2)).toEqual(await t.knex('prep_probe').where('id', 2).first('prep_probe.*'));
});

serverIt('when a PREPARED query runs on a PostgreSQL server, then its connection holds it as a named prepared statement', async () => {
  await t.knex.transaction(async (trx) => {
    await probe(trx, 1);
    expect(await preparedNames(trx)).toHaveLength(1);
  });
});

serverIt('when the same PREPARED query runs again with another value, then no second statement is prepared', async () => {
  await t.knex.transaction(async (trx) => {
    const before = await preparedNames(trx);
    await probe(trx, 1);
    await probe(trx, 2);
    const after = await preparedNames(trx);
    expect(after.length).toBe(Math.max(before.length, 1));
  });
});

serverIt('when a migration adds a column under a prepared SELECT *, then the next read outside a transaction answers with it', async () => {
  // Prepare it on every pooled connection that might serve the read below.
  await Promise.all(Array.from({ length: 10 }, () => probe(t.knex, 1)));
  await t.knex.raw('ALTER TABLE prep_probe ADD COLUMN extra int NOT NULL DEFAULT 7');
  for (let i = 0; i < 10; i++) expect(await probe(t.knex, 1)).toEqual({ id: 1, name: 'one', extra: 7 });
});

serverIt('when DATABASE_PREPARED_STATEMENTS is off, then a PREPARED query runs unnamed', async () => {
  const { database } = (await t.knex.raw('SELECT current_database() AS database')).rows[0];
  const off = knexForPostgres(withDatabase(process.env.TEST_DATABASE_URL!, database), 1, undefined, false);
  try {
    await off.transaction(async (trx) => {
      expect(await probe(trx, 1)).toMatchObject({ id: 1 });
      expect(await preparedNames(trx)).toEqual([]);
    });
  } finally {
    await off.destroy();
  }
});
