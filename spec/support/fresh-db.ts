import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { knexForPostgres } from '../../src/db';
import { adminUrl, withDatabase } from './pg-url';
import { TEMPLATE_DATA_DIR_ENV, TEMPLATE_DB_ENV, TEMPLATE_INITDB_DIR_ENV } from './constants';

/**
 * A fresh database for the built server: a temp DATA_DIR, or a new database on the test server.
 * Empty by default (an empty DATA_DIR: the server runs PGlite's initdb, seconds of CPU); `initdb: true`
 * copies a cluster the run initdb'd once, still without migrations or data (an empty database, as a
 * new one on a PostgreSQL server is); `seeded: true` copies the run's migrated template with its
 * admin (constants.ts), which also spares the migrations and a scrypt hash.
 */
export async function freshDatabase(opts: { seeded?: boolean; initdb?: boolean } = {}): Promise<{ env: Record<string, string>; cleanup: () => Promise<void> }> {
  const url = process.env.TEST_DATABASE_URL;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'v2crm-first-'));
  const template = opts.seeded ? process.env[TEMPLATE_DATA_DIR_ENV] : opts.initdb ? process.env[TEMPLATE_INITDB_DIR_ENV] : undefined;
  if (!url && template) fs.cpSync(template, dir, { recursive: true });
  if (!url) return { env: { DATA_DIR: dir }, cleanup: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  const name = `v2crm_first_${crypto.randomBytes(4).toString('hex')}`;
  const admin = knexForPostgres(adminUrl(url), 1);
  await admin.raw(opts.seeded ? `CREATE DATABASE ${name} TEMPLATE ${process.env[TEMPLATE_DB_ENV]!}` : `CREATE DATABASE ${name}`);
  return {
    env: { DATABASE_URL: withDatabase(url, name), DATA_DIR: dir },
    cleanup: async () => {
      await admin.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
