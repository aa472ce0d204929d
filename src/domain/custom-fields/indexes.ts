import { Knex } from 'knex';
import { CUSTOM_FIELD_KEY } from './fields';

/**
 * One btree index per custom field key of accounts: `(org_id, (custom_fields -> 'field_N'), id)` over
 * live rows. `custom_fields.field_1__eq=9&_limit=100` is then an index scan that returns the first 100
 * in id order; through the GIN index (`@>`) PostgreSQL fetched every matching row and sorted them: on
 * 1M accounts, 2,009 matches, 388 ms cold and 1,948 buffers against 7.6 ms and 97 buffers
 * (bench/README.md, lever 3). The list filter writes equality as `->` for accounts (accounts/fields.ts,
 * `customFieldIndexes`), which only such an index serves.
 *
 * Keys are `field_N` (checked again here): the DDL cannot take bindings, so the key is written into
 * it, and only after this check. The index is shared by every organisation that defines the key.
 */

export function customFieldIndexName(key: string): string {
  return `accounts_cf_${key}`;
}

function isPglite(knex: Knex): boolean {
  const connection = (knex.client as { config?: { connection?: unknown } }).config?.connection;
  return typeof connection === 'object' && connection !== null && 'pglite' in connection;
}

/**
 * Creates the key's index unless it exists and is valid. On a PostgreSQL server it is built
 * CONCURRENTLY, so writes to accounts go on meanwhile (a failed concurrent build leaves an invalid
 * index: it is dropped and built again), without the statement timeout (a million rows take seconds).
 * On PGlite (one connection, one process) it is a plain CREATE INDEX.
 */
export async function ensureCustomFieldIndex(knex: Knex, key: string): Promise<void> {
  if (!CUSTOM_FIELD_KEY.test(key)) throw new Error(`not a custom field key: ${JSON.stringify(key)}`);
  const name = customFieldIndexName(key);
  const definition = `ON accounts (org_id, (custom_fields -> '${key}'), id) WHERE NOT is_deleted`;
  if (isPglite(knex)) {
    await knex.raw(`CREATE INDEX IF NOT EXISTS ${name} ${definition}`);
    return;
  }
  const conn = await knex.client.acquireConnection();
  const run = (sql: string) => knex.raw(sql).connection(conn);
  try {
    await run('SET statement_timeout = 0');
    const { rows } = await run(`SELECT i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = '${name}' AND pg_table_is_visible(c.oid)`);
    if (rows.length && rows[0].valid) return;
    if (rows.length) await run(`DROP INDEX CONCURRENTLY IF EXISTS ${name}`);
    await run(`CREATE INDEX CONCURRENTLY IF NOT EXISTS ${name} ${definition}`);
  } finally {
    await run('RESET statement_timeout').catch(() => undefined);
    await knex.client.releaseConnection(conn);
  }
}

/** Every accounts custom field key in the database has its index (run at start: repairs a failed build). */
export async function ensureCustomFieldIndexes(knex: Knex): Promise<string[]> {
  const keys: string[] = await knex('custom_field_definitions').where({ model: 'crm/accounts' }).distinct('key').pluck('key');
  for (const key of keys) await ensureCustomFieldIndex(knex, key);
  return keys;
}
