import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { knexForPglite, knexForPostgres, openPglite } from '../../src/db';
import { migrateLatest } from '../../src/db/migrate';
import { seedBase } from '../../seeds/base';
import { ADMIN_EMAIL, ADMIN_PASSWORD, TEMPLATE_DATA_DIR_ENV, TEMPLATE_DB_ENV, TEMPLATE_INITDB_DIR_ENV, TEMPLATE_FILE_ENV } from './constants';
import { adminUrl, withDatabase } from './pg-url';

/**
 * Migrates and seeds one template database; each spec file then clones it (PGlite: loadDataDir of a
 * dump; PostgreSQL: CREATE DATABASE ... TEMPLATE), because PGlite's initdb takes seconds and should
 * not be paid per test.
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
  const dir = await pgliteTemplates();
  process.env[TEMPLATE_FILE_ENV] = path.join(dir, 'template.tar');
  process.env[TEMPLATE_DATA_DIR_ENV] = path.join(dir, 'data-template');
  process.env[TEMPLATE_INITDB_DIR_ENV] = path.join(dir, 'data-initdb');
}

const ROOT = path.resolve(__dirname, '../..');
const CACHE = path.join(ROOT, 'node_modules', '.cache', 'v2crm-spec-templates');

/**
 * The PGlite templates, kept between runs under node_modules/.cache and named by a hash of everything
 * they are made from (the sources, migrations and seeds, this file, the locked dependencies): a run
 * after an edit elsewhere (a spec, the docs) starts its specs about 4 s sooner; any change to what
 * builds them builds them again. Specs only read them (fresh-db.ts copies the directories).
 */
async function pgliteTemplates(): Promise<string> {
  const hash = createHash('sha256');
  const inputs = ['src', 'migrations', 'seeds', 'spec/support/global-setup.ts', 'spec/support/constants.ts', 'package-lock.json'];
  for (const file of inputs.flatMap((p) => filesUnder(path.join(ROOT, p))).sort()) {
    hash.update(`${path.relative(ROOT, file)}\0`).update(fs.readFileSync(file)).update('\0');
  }
  const key = hash.digest('hex').slice(0, 16);
  const dir = path.join(CACHE, key);
  if (fs.existsSync(dir)) return dir;
  fs.mkdirSync(CACHE, { recursive: true });
  const building = fs.mkdtempSync(path.join(CACHE, 'building-'));
  try {
    await buildPgliteTemplates(building);
    // A rename is atomic: a run sees the whole directory or none. Another run may have won the race.
    fs.renameSync(building, dir);
  } catch (err) {
    fs.rmSync(building, { recursive: true, force: true });
    if (!fs.existsSync(dir)) throw err;
  }
  // Templates of earlier trees are not needed again.
  for (const old of fs.readdirSync(CACHE)) if (old !== key && !old.startsWith('building-')) fs.rmSync(path.join(CACHE, old), { recursive: true, force: true });
  return dir;
}

function filesUnder(p: string): string[] {
  if (!fs.statSync(p).isDirectory()) return [p];
  return fs.readdirSync(p, { withFileTypes: true }).flatMap((e) => filesUnder(path.join(p, e.name)));
}

/**
 * Built in memory (no file system calls, no fsync), then written out into `root`: the tar for
 * makeTestApp, and data directories for the specs of the built CLI.
 */
async function buildPgliteTemplates(root: string): Promise<void> {
  const pglite = await openPglite();
  // First a cluster just initdb'd, kept as it is: an empty database like a new one on a PostgreSQL
  // server (freshDatabase({ initdb: true })), for the specs of migrations and of a first start.
  await writeDataDir(path.join(root, 'data-initdb', 'pglite'), await pglite.dumpDataDir('none'));
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
  fs.writeFileSync(path.join(root, 'template.tar'), Buffer.from(await dump.arrayBuffer()));
  await knex.destroy();
  // The same template as a DATA_DIR (freshDatabase({ seeded: true }) copies it), so the CLI specs do
  // not pay initdb and migrations per spec.
  await writeDataDir(path.join(root, 'data-template', 'pglite'), dump);
}

/** A data directory on disk holding a dump: PGlite unpacks it there, then shuts down cleanly. */
async function writeDataDir(dir: string, dump: Blob): Promise<void> {
  await (await openPglite(dir, dump, { fsync: false })).close();
}
