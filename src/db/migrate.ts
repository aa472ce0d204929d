import { Knex } from 'knex';
import * as m001 from '../../migrations/001_foundation';
import * as m003 from '../../migrations/003_sync';
import * as m004 from '../../migrations/004_finance';
import * as m005 from '../../migrations/005_collaboration';
import * as m006 from '../../migrations/006_activity';
import * as m011i from '../../migrations/011_account_imports';
import * as m013tokens from '../../migrations/013_api_tokens';

/** Migrations are imported, not globbed, so the same list runs from TypeScript (tests) and dist/. */
const MIGRATIONS: Record<string, Knex.Migration> = {
  '001_foundation': m001,
  '003_sync': m003,
  '004_finance': m004,
  '005_collaboration': m005,
  '006_activity': m006,
  '011_account_imports': m011i,
  '013_api_tokens': m013tokens,
};

const source: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(MIGRATIONS).sort(),
  getMigrationName: (name) => name,
  getMigration: async (name) => MIGRATIONS[name],
};

/** Applies every pending migration; returns the names applied. */
export async function migrateLatest(knex: Knex): Promise<string[]> {
  const [, applied] = (await knex.migrate.latest({ migrationSource: source })) as [number, string[]];
  return applied;
}
