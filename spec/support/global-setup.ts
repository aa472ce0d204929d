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
  // On disk, not in memory: the same directory is the DATA_DIR template of the CLI specs
  // (freshDatabase({ seeded: true }) copies it), so they do not pay initdb and migrations per spec.
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'v2crm-test-'));
  // First a cluster just initdb'd, kept as it is: an empty database like a new one on a PostgreSQL
  // server (freshDatabase({ initdb: true })), for the specs of migrations and of a first start.
  const initdbDir = path.join(root, 'data-initdb');
  await (await openPglite(path.join(initdbDir, 'pglite'))).close();
  const dataDir = path.join(root, 'data-template');
  fs.cpSync(initdbDir, dataDir, { recursive: true });
  const pglite = await openPglite(path.join(dataDir, 'pglite'));
  const knex = knexForPglite(pglite);
  await migrateLatest(knex);
  await seedBase(knex, { adminEmail: ADMIN_EMAIL, adminPassword: ADMIN_PASSWORD });
  const dump = await pglite.dumpDataDir('none');
  const file = path.join(root, 'template.tar');
  fs.writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  await knex.destroy();
  process.env[TEMPLATE_FILE_ENV] = file;
  process.env[TEMPLATE_DATA_DIR_ENV] = dataDir;
  process.env[TEMPLATE_INITDB_DIR_ENV] = initdbDir;
}
