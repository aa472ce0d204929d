import { Knex } from 'knex';

/**
 * `?name__sw=X` lists in id order (`lower(name) LIKE 'x%' ... ORDER BY id LIMIT n`, the default order):
 * the primary key walk fetched every row from the heap to test its name (~5,500 rows for 100 at 1M
 * accounts, 5.0 ms warm, 176 buffers); the trigram index is not used for it. With the lowered name
 * as a third key column (pattern ops, so the prefix is a range) the scan still runs in id order and
 * no sort is needed, but the name test happens on the index tuple: only the 100 matching rows are
 * fetched (0.4 ms warm, 76 buffers; EXPLAIN in bench/README.md). Partial on live rows, as every list is.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX accounts_org_id_name_prefix ON accounts (org_id, id, lower(name) text_pattern_ops) WHERE NOT is_deleted');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX accounts_org_id_name_prefix');
}
