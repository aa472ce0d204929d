import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { knexForPostgres } from '../../src/db';
import { adminUrl, withDatabase } from './pg-url';
import { TEMPLATE_DATA_DIR_ENV, TEMPLATE_DB_ENV } from './constants';

/**
 * A fresh database for the built server: a temp DATA_DIR, or a new database on the test server.
 * Empty by default (first-start specs); `seeded: true` copies the run's migrated template with its
 * admin (constants.ts), which spares a CLI spec PGlite's initdb, the migrations and a scrypt hash.
 */
export async function freshDatabase(opts: { seeded?: boolean } = {}): Promise<{ env: Record<string, string>; cleanup: () => Promise<void> }> {
  const url = process.env.TEST_DATABASE_URL;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'v2crm-first-'));
  if (!url && opts.seeded) fs.cpSync(process.env[TEMPLATE_DATA_DIR_ENV]!, dir, { recursive: true });
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
