import { Knex } from 'knex';
import { MIGRATION_NAMES } from './migrate';

/** How the database's applied migrations compare with the ones this build carries. */
export interface SchemaStatus {
  /** In this build, not yet applied: the database is behind the code. */
  pending: string[];
  /** Applied, but unknown to this build: a newer v2crm migrated it; the database is ahead. */
  unknown: string[];
}

export async function schemaStatus(knex: Knex): Promise<SchemaStatus> {
  const known = new Set(MIGRATION_NAMES);
  const hasTable = await knex.schema.hasTable('knex_migrations');
  const applied: string[] = hasTable ? await knex('knex_migrations').orderBy('id').pluck('name') : [];
  const done = new Set(applied);
  return {
    pending: MIGRATION_NAMES.filter((m) => !done.has(m)),
    unknown: applied.filter((m) => !known.has(m)),
  };
}

/** The reason this build must not serve on that database, or undefined when schema and code agree. */
export function schemaMismatch(s: SchemaStatus): string | undefined {
  if (s.unknown.length) {
    return `the database was migrated by a newer v2crm (migrations unknown to this version: ${s.unknown.join(', ')}); run that version or a newer one, never an older one, on this database`;
  }
  if (s.pending.length) {
    return `the database is behind this version of v2crm (pending migrations: ${s.pending.join(', ')}); run "v2crm migrate" (or start with MIGRATE_ON_START=true)`;
  }
  return undefined;
}
