import type { Logger } from 'pino';
import { Config, loadConfig } from '../config';
import { Db, openDb } from '../db';
import { migrateLatest } from '../db/migrate';
import { createLogger } from '../http/logger';
import { seedBase } from '../../seeds/base';

export interface Ready {
  config: Config;
  db: Db;
  log: Logger;
}

/** Config, database, migrations and base data: what every command needs before it starts. */
export async function prepare(opts: { seed?: boolean; server?: boolean } = {}): Promise<Ready> {
  const config = loadConfig();
  // Only the server logs to stdout; other commands keep stdout for their output.
  const log = createLogger(config.logLevel, !opts.server);
  const db = await openDb(config);
  log.info({ database: db.kind === 'postgres' ? 'postgres (DATABASE_URL)' : `pglite (${config.dataDir})` }, 'database opened');
  if (db.kind === 'pglite') {
    // What holds for an acknowledged write on the embedded database (README, "Durability").
    if (config.pgliteFsync) log.info({ durability: 'fsync' }, 'embedded database: every commit is fsynced (WAL first) before it is acknowledged; it survives kill -9, an OS crash and power loss on a disk that honours fsync');
    else log.warn({ durability: 'process' }, 'PGLITE_FSYNC=off: commits survive kill -9 but not an OS crash or power loss');
  }
  const applied = await migrateLatest(db.knex);
  if (applied.length) log.info({ migrations: applied }, 'migrations applied');
  if (opts.seed !== false) {
    const seeded = await seedBase(db.knex, { adminEmail: config.adminEmail, adminPassword: config.adminPassword });
    if (seeded.created) {
      log.info({ email: seeded.adminEmail }, 'first start: organisation, currencies, company 1 (ACM) and admin user created');
      if (seeded.generatedPassword) {
        // Printed once, on the first start only; it is not stored anywhere in clear.
        log.warn({ email: seeded.adminEmail, password: seeded.generatedPassword }, 'generated admin password: note it now, it is not shown again');
      }
    }
  }
  return { config, db, log };
}
