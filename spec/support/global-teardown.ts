import fs from 'node:fs';
import path from 'node:path';
import { knexForPostgres } from '../../src/db';
import { TEMPLATE_DB_ENV, TEMPLATE_FILE_ENV } from './constants';
import { adminUrl } from './pg-url';

export default async function globalTeardown() {
  const file = process.env[TEMPLATE_FILE_ENV];
  if (file) fs.rmSync(path.dirname(file), { recursive: true, force: true });
  const name = process.env[TEMPLATE_DB_ENV];
  const url = process.env.TEST_DATABASE_URL;
  if (name && url) {
    const admin = knexForPostgres(adminUrl(url), 1);
    await admin.raw(`DROP DATABASE IF EXISTS ${name}`);
    await admin.destroy();
  }
}
