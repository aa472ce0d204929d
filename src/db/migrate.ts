import { Knex } from 'knex';
import * as m001 from '../../migrations/001_foundation';
import * as m003 from '../../migrations/003_sync';
import * as m004 from '../../migrations/004_finance';
import * as m005 from '../../migrations/005_collaboration';
import * as m006 from '../../migrations/006_activity';
import * as m011i from '../../migrations/011_account_imports';
import * as m013tokens from '../../migrations/013_api_tokens';
import * as m012cache from '../../migrations/012_cache_notify';
import * as m012keys from '../../migrations/012_org_keys';
import * as m014feed from '../../migrations/014_change_feed';
import * as m015djangocrm from '../../migrations/015_djangocrm_auth';
import * as m016perf from '../../migrations/016_perf_indexes';
import * as m017balances from '../../migrations/017_account_balances';
import * as m018checks from '../../migrations/018_redundant_checks';
import { analyzeAll } from './statistics';

/** Migrations are imported, not globbed, so the same list runs from TypeScript (tests) and dist/. */
const MIGRATIONS: Record<string, Knex.Migration> = {
  '001_foundation': m001,
  '003_sync': m003,
  '004_finance': m004,
  '005_collaboration': m005,
  '006_activity': m006,
  '011_account_imports': m011i,
  '013_api_tokens': m013tokens,
  '012_cache_notify': m012cache,
  '012_org_keys': m012keys,
  '014_change_feed': m014feed,
  '015_djangocrm_auth': m015djangocrm,
  '016_perf_indexes': m016perf,
  '017_account_balances': m017balances,
  '018_redundant_checks': m018checks,
};

/** This build's migrations, in the order they apply. */
export const MIGRATION_NAMES: readonly string[] = Object.keys(MIGRATIONS).sort();

const source: Knex.MigrationSource<string> = {
  getMigrations: async () => [...MIGRATION_NAMES],
  getMigrationName: (name) => name,
  getMigration: async (name) => MIGRATIONS[name],
};

/** Applies every pending migration; returns the names applied. */
export async function migrateLatest(knex: Knex): Promise<string[]> {
  const [, applied] = (await knex.migrate.latest({ migrationSource: source })) as [number, string[]];
  // New tables and indexes start without statistics (PGlite has no autovacuum to gather them).
  if (applied.length) await analyzeAll(knex);
  return applied;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * migrateLatest for N processes starting at once on one database: knex's lock row lets one migrate
 * while the others fail with "already locked"; those wait and try again (then find nothing pending).
 * Two processes may also both try to create knex's tables on an empty database; the loser retries.
 * Only that table-row lock is used, no session advisory lock, so this also works through PgBouncer.
 */
export async function migrateLatestShared(knex: Knex, waitMs = 120_000): Promise<string[]> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      return await migrateLatest(knex);
    } catch (e) {
      // Also the race of two processes creating knex's own tables on an empty database.
      const code = (e as { code?: string }).code;
      const tableRace = (code === '23505' && /knex_migrations/.test((e as Error).message)) || code === '42P07';
      if (!/already locked/.test((e as Error).message) && !tableRace) throw e;
      if (Date.now() > deadline) {
        throw new Error(
          `migrations stayed locked for ${Math.round(waitMs / 1000)} s: another process is migrating, or one crashed while migrating (then clear knex_migrations_lock.is_locked)`,
        );
      }
      await sleep(250 + Math.random() * 250);
    }
  }
}
