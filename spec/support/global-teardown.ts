import { knexForPostgres } from '../../src/db';
import { TEMPLATE_DB_ENV } from './constants';
import { adminUrl } from './pg-url';

/** The PostgreSQL template of this run is dropped; PGlite's are kept for the next run (global-setup.ts). */
export default async function globalTeardown() {
  const name = process.env[TEMPLATE_DB_ENV];
  const url = process.env.TEST_DATABASE_URL;
  if (name && url) {
    const admin = knexForPostgres(adminUrl(url), 1);
    await admin.raw(`DROP DATABASE IF EXISTS ${name}`);
    await admin.destroy();
  }
}
