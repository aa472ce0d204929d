import type { Logger } from 'pino';
import { Config, ConfigError, loadConfig } from '../config';
import type { Db } from '../db';

export interface Ready {
  config: Config;
  db: Db;
  log: Logger;
}

/** Config, database, migrations and base data: what every command needs before it starts. */
export async function prepare(opts: { seed?: boolean; server?: boolean; migrate?: boolean } = {}): Promise<Ready> {
  const config = loadConfig();
  // Loaded here, not at the top: every command module imports this one, and `--help`, `--version` or
  // a mistyped option then start without the database drivers.
  const { openDb } = require('../db') as typeof import('../db');
  const { createLogger } = require('../http/logger') as typeof import('../http/logger');
  const { seedBase } = require('../../seeds/base') as typeof import('../../seeds/base');
  // Only the server logs to stdout; other commands keep stdout for their output.
  const log = createLogger(config.logLevel, !opts.server);
  const db = await openDb(config, log);
  log.info({ database: db.kind === 'postgres' ? 'postgres (DATABASE_URL)' : `pglite (${config.dataDir})` }, 'database opened');
  if (db.kind === 'pglite') {
    // What holds for an acknowledged write on the embedded database (README, "Durability").
    if (config.pgliteFsync) log.info({ durability: 'fsync' }, 'embedded database: every commit is fsynced (WAL first) before it is acknowledged; it survives kill -9, an OS crash and power loss on a disk that honours fsync');
    else log.warn({ durability: 'process' }, 'PGLITE_FSYNC=off: commits survive kill -9 but not an OS crash or power loss');
  }
  await migrateOrRefuse(db, opts.migrate ?? config.scale.migrateOnStart, log);
  if (opts.seed !== false) {
    // Serialised, so N processes starting on an empty database create one organisation, not N.
    const seeded = await db.knex.transaction(async (trx) => {
      await trx.raw('SELECT pg_advisory_xact_lock(7302)');
      return seedBase(trx, { adminEmail: config.adminEmail, adminPassword: config.adminPassword });
    });
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

/**
 * Never run on a schema other than this build's: a database migrated by a newer version is refused
 * (its code may rely on columns or rules this one ignores), and one that is behind is migrated, or
 * refused when migrating on start is off.
 */
async function migrateOrRefuse(db: Db, migrate: boolean, log: Logger): Promise<void> {
  const { migrateLatestShared } = require('../db/migrate') as typeof import('../db/migrate');
  const { ensureCustomFieldIndexes } = require('../domain/custom-fields/indexes') as typeof import('../domain/custom-fields/indexes');
  const { schemaMismatch, schemaStatus } = require('../db/schema-status') as typeof import('../db/schema-status');
  const before = schemaStatus(db.knex);
  const ahead = schemaMismatch({ ...(await before), pending: [] });
  if (ahead) {
    await db.close();
    throw new ConfigError(`refusing to start: ${ahead}`);
  }
  if (migrate) {
    const applied = await migrateLatestShared(db.knex);
    if (applied.length) log.info({ migrations: applied }, 'migrations applied');
    // Each accounts custom field has its filter index; one missing or left invalid by a failed build is made here.
    const started = Date.now();
    const keys = await ensureCustomFieldIndexes(db.knex);
    if (keys.length) log.debug({ keys, ms: Date.now() - started }, 'custom field indexes checked');
  }
  const mismatch = schemaMismatch(await schemaStatus(db.knex));
  if (mismatch) {
    await db.close();
    throw new ConfigError(`refusing to start: ${mismatch}`);
  }
}
