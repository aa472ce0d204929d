import { Knex } from 'knex';
import { ScalarType } from '../../query/catalogue';
import { ACCOUNT_FIELDS, TRACKED, WRITABLE_FIELDS } from './fields';
import { AccountRow } from './repo';

/**
 * The two set-based statements of an import batch (import-batch.ts): one INSERT ... SELECT FROM
 * jsonb_to_recordset for the records a batch creates, one UPDATE ... FROM jsonb_to_recordset for those it
 * changes. Column names come from the account catalogue only; every value travels in one bound jsonb.
 */
const SQL_TYPE: Record<ScalarType, string> = { integer: 'int', decimal: 'numeric', boolean: 'boolean', string: 'text', date: 'date', datetime: 'timestamptz' };
const COLUMN_TYPE = new Map(ACCOUNT_FIELDS.map((f) => [f.name, SQL_TYPE[f.type]]));

/**
 * A created account's history `changes` in SQL over the inserted row `ins`: the same object
 * diffAccounts(undefined, row) builds, every tracked field and custom field with a value as
 * `{"old": null, "new": value}`. It is written as JSON text and cast once (several times cheaper
 * for PostgreSQL than jsonb_each over to_jsonb(row)): the tracked columns are text, integer,
 * boolean and date, whose to_json is the driver's value in JSON (a date is 'YYYY-MM-DD' either
 * way); custom fields are those defined (an import refuses any other key). Undefined when a key
 * could not be written into SQL safely (the general path is taken then).
 */
export function createChangesSql(customKeys: string[]): string | undefined {
  if (!customKeys.every((k) => /^[A-Za-z0-9_]+$/.test(k))) return undefined;
  const column = (f: string) => `CASE WHEN ins.${f} IS NOT NULL THEN '"${f}":{"old":null,"new":' || to_json(ins.${f})::text || '}' END`;
  const custom = (k: string) => `CASE WHEN jsonb_typeof(ins.custom_fields->'${k}') <> 'null' THEN '"custom_fields.${k}":{"old":null,"new":' || (ins.custom_fields->'${k}')::text || '}' END`;
  const items = [...TRACKED.map(column), ...customKeys.map(custom)];
  // concat_ws skips NULLs; a function takes at most 100 arguments, so long lists are nested.
  const chunks: string[] = [];
  for (let i = 0; i < items.length; i += 90) chunks.push(`NULLIF(concat_ws(',', ${items.slice(i, i + 90).join(', ')}), '')`);
  return `('{' || concat_ws(',', ${chunks.join(', ')}) || '}')::jsonb`;
}

/**
 * Inserts accounts that all set the same `columns` (ids drawn beforehand, `id` among the columns).
 * With `historyChanges` (createChangesSql) each account's `create` history row is written by the same
 * statement and nothing comes back (empty result); without it the inserted rows are returned.
 */
export async function insertAccounts(
  trx: Knex,
  columns: string[],
  rows: Record<string, unknown>[],
  opts: { userId: number; historyChanges?: string },
): Promise<AccountRow[]> {
  const defs = [...columns.map((c) => `${c} ${c === 'id' ? 'int' : COLUMN_TYPE.get(c)}`), 'org_id int', 'created_by int', 'custom_fields jsonb'];
  const all = [...columns, 'org_id', 'created_by', 'custom_fields'];
  const deletedAt = columns.includes('is_deleted') ? ', deleted_at' : '';
  const insert = `INSERT INTO accounts (${all.join(', ')}${deletedAt})
     SELECT ${all.map((c) => `x.${c}`).join(', ')}${deletedAt ? ', CASE WHEN x.is_deleted THEN now() END' : ''}
       FROM jsonb_to_recordset(?::jsonb) AS x(${defs.join(', ')})`;
  if (opts.historyChanges) {
    await trx.raw(
      `WITH ins AS (${insert} RETURNING *)
       INSERT INTO account_history (org_id, account_id, user_id, action, version, changes)
       SELECT ins.org_id, ins.id, ?::int, 'create', ins.version, ${opts.historyChanges}
         FROM ins ORDER BY ins.id`,
      [JSON.stringify(rows), opts.userId],
    );
    return [];
  }
  return ((await trx.raw(`${insert} RETURNING *`, [JSON.stringify(rows)])) as { rows: AccountRow[] }).rows;
}

/** Every column an import writes on an update (the whole merged row: one statement shape per batch). */
const UPDATE_COLUMNS = [...WRITABLE_FIELDS];

/**
 * Writes the merged rows of existing accounts (each: its id, every writable column, custom_fields) in
 * one statement, and returns the rows after. Only rows that change something should be given: the
 * trigger moves version and `updated` on every row an UPDATE touches.
 */
export async function updateAccounts(trx: Knex, orgId: number, merged: { existing: AccountRow; values: Record<string, unknown>; customFields: Record<string, unknown> }[]): Promise<AccountRow[]> {
  const rows = merged.map(({ existing, values, customFields }) => {
    const row: Record<string, unknown> = { id: existing.id, custom_fields: { ...existing.custom_fields, ...customFields } };
    for (const c of UPDATE_COLUMNS) row[c] = c in values ? values[c] : existing[c];
    return row;
  });
  const defs = ['id int', 'custom_fields jsonb', ...UPDATE_COLUMNS.map((c) => `${c} ${COLUMN_TYPE.get(c)}`)];
  const { rows: after } = (await trx.raw(
    `UPDATE accounts a SET ${UPDATE_COLUMNS.map((c) => `${c} = x.${c}`).join(', ')}, custom_fields = x.custom_fields,
            deleted_at = CASE WHEN x.is_deleted AND NOT a.is_deleted THEN now() WHEN NOT x.is_deleted THEN NULL ELSE a.deleted_at END
       FROM jsonb_to_recordset(?::jsonb) AS x(${defs.join(', ')})
      WHERE a.id = x.id AND a.org_id = ?
      RETURNING a.*`,
    [JSON.stringify(rows), orgId],
  )) as { rows: AccountRow[] };
  return after;
}
