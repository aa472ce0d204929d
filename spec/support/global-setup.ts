import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { knexForPglite, knexForPostgres, openPglite } from '../../src/db';
import { migrateLatest } from '../../src/db/migrate';
import { seedBase } from '../../seeds/base';
import { ADMIN_EMAIL, ADMIN_PASSWORD, TEMPLATE_DATA_DIR_ENV, TEMPLATE_DB_ENV, TEMPLATE_INITDB_DIR_ENV, TEMPLATE_FILE_ENV } from './constants';
import { adminUrl, withDatabase } from './pg-url';

/**
 * Migrates and seeds one template database per run; each spec file then clones it
 * (PGlite: loadDataDir of a dump; PostgreSQL: CREATE DATABASE ... TEMPLATE), because
 * PGlite's initdb takes seconds and should not be paid per test.
 */
export default async function globalSetup() {
  const url = process.env.TEST_DATABASE_URL;
  if (url) {
    const name = `v2crm_tpl_${process.pid}_${Date.now()}`;
    const admin = knexForPostgres(adminUrl(url), 1);
    await admin.raw(`CREATE DATABASE ${name}`);
    await admin.destroy();
    const knex = knexForPostgres(withDatabase(url, name), 1);
    await migrateLatest(knex);
    await seedBase(knex, { adminEmail: ADMIN_EMAIL, adminPassword: ADMIN_PASSWORD });
    await knex.destroy();
    process.env[TEMPLATE_DB_ENV] = name;
    return;
  }
  // Built in memory (no file system calls, no fsync: a second or two less before any spec starts),
  // then written out: the tar for makeTestApp, and data directories for the specs of the built CLI.
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'v2crm-test-'));
  const pglite = await openPglite();
  // First a cluster just initdb'd, kept as it is: an empty database like a new one on a PostgreSQL
  // server (freshDatabase({ initdb: true })), for the specs of migrations and of a first start.
  const initdbDir = path.join(root, 'data-initdb');
  await writeDataDir(path.join(initdbDir, 'pglite'), await pglite.dumpDataDir('none'));
  const knex = knexForPglite(pglite);
  await migrateLatest(knex);
  await seedBase(knex, { adminEmail: ADMIN_EMAIL, adminPassword: ADMIN_PASSWORD });
  // The template databases are never used by PGlite (one database, "postgres"): without them the tar
  // every spec file loads is 15 MB (a third) smaller.
  for (const db of ['template0', 'template1']) {
    await pglite.exec(`ALTER DATABASE ${db} IS_TEMPLATE false`);
    await pglite.exec(`DROP DATABASE ${db}`);
  }
  await pglite.exec('CHECKPOINT');
  const dump = await pglite.dumpDataDir('none');
  const file = path.join(root, 'template.tar');
  fs.writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  await knex.destroy();
  // The same template as a DATA_DIR (freshDatabase({ seeded: true }) copies it), so the CLI specs do
  // not pay initdb and migrations per spec.
  const dataDir = path.join(root, 'data-template');
  await writeDataDir(path.join(dataDir, 'pglite'), dump);
  process.env[TEMPLATE_FILE_ENV] = file;
  process.env[TEMPLATE_DATA_DIR_ENV] = dataDir;
  process.env[TEMPLATE_INITDB_DIR_ENV] = initdbDir;
}

/** A data directory on disk holding a dump: PGlite unpacks it there, then shuts down cleanly. */
async function writeDataDir(dir: string, dump: Blob): Promise<void> {
  await (await openPglite(dir, dump, { fsync: false })).close();
}
