import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { knexForPostgres } from '../../src/db';
import { adminUrl, withDatabase } from './pg-url';

/** A fresh empty database for the built server: a temp DATA_DIR, or a new database on the test server. */
export async function freshDatabase(): Promise<{ env: Record<string, string>; cleanup: () => Promise<void> }> {
  const url = process.env.TEST_DATABASE_URL;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'v2crm-first-'));
  if (!url) return { env: { DATA_DIR: dir }, cleanup: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  const name = `v2crm_first_${crypto.randomBytes(4).toString('hex')}`;
  const admin = knexForPostgres(adminUrl(url), 1);
  await admin.raw(`CREATE DATABASE ${name}`);
  return {
    env: { DATABASE_URL: withDatabase(url, name), DATA_DIR: dir },
    cleanup: async () => {
      await admin.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
