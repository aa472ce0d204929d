import { Knex } from 'knex';

/**
 * The invariant that lets every tenant table be distributed by `org_id` (Citus; docs/scaling.md):
 * reference tables (replicated to every node) are listed here; every other table is a tenant table.
 */
// api_tokens, like users, is found before the organisation is known (a Bearer token carries no org).
// djangocrm_settings holds server-wide settings of the Django-CRM dialect (its generated JWT secret).
export const REFERENCE_TABLES = ['orgs', 'users', 'api_tokens', 'djangocrm_settings'];
const INFRASTRUCTURE = ['knex_migrations', 'knex_migrations_lock'];

export async function tenantTables(knex: Knex): Promise<string[]> {
  const rows = await knex.raw(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') ORDER BY 1`,
  );
  return (rows.rows as { name: string }[]).map((r) => r.name).filter((t) => !REFERENCE_TABLES.includes(t) && !INFRASTRUCTURE.includes(t));
}

/** Every breach of the invariant on the live schema, as readable sentences (none when it holds). */
export async function schemaViolations(knex: Knex): Promise<string[]> {
  const tables = await tenantTables(knex);
  const out: string[] = [];
  const cols = await knex.raw(
    `SELECT table_name, column_name, is_nullable FROM information_schema.columns
      WHERE table_schema = current_schema() AND column_name = 'org_id'`,
  );
  const withOrg = new Map((cols.rows as { table_name: string; is_nullable: string }[]).map((r) => [r.table_name, r.is_nullable]));
  for (const t of tables) {
    if (!withOrg.has(t)) out.push(`${t}: no org_id column`);
    else if (withOrg.get(t) !== 'NO') out.push(`${t}: org_id may be null`);
  }
  const pks = await knex.raw(
    `SELECT c.relname AS tbl FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND i.indisprimary`,
  );
  const hasPk = new Set((pks.rows as { tbl: string }[]).map((r) => r.tbl));
  for (const t of tables) if (!hasPk.has(t)) out.push(`${t}: no primary key`);
  const uniques = await knex.raw(
    `SELECT c.relname AS tbl, ic.relname AS idx,
            EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'org_id' AND a.attnum = ANY (i.indkey)) AS has_org
       FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_class ic ON ic.oid = i.indexrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND i.indisunique`,
  );
  for (const r of uniques.rows as { tbl: string; idx: string; has_org: boolean }[]) {
    if (tables.includes(r.tbl) && !r.has_org) out.push(`${r.tbl}: unique index ${r.idx} does not include org_id`);
  }
  const fks = await knex.raw(
    `SELECT c.conname, src.relname AS src, dst.relname AS dst,
            (SELECT array_agg(a.attname ORDER BY k.ord) FROM unnest(c.conkey) WITH ORDINALITY k(num, ord)
               JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.num) AS cols,
            (SELECT array_agg(a.attname ORDER BY k.ord) FROM unnest(c.confkey) WITH ORDINALITY k(num, ord)
               JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.num) AS refcols
       FROM pg_constraint c JOIN pg_class src ON src.oid = c.conrelid JOIN pg_class dst ON dst.oid = c.confrelid
       JOIN pg_namespace n ON n.oid = c.connamespace
      WHERE n.nspname = current_schema() AND c.contype = 'f'`,
  );
  for (const r of fks.rows as { conname: string; src: string; dst: string; cols: string[] | string; refcols: string[] | string }[]) {
    if (!tables.includes(r.src) || !tables.includes(r.dst)) continue; // to a reference table: fine
    const cols = pgArray(r.cols);
    const refcols = pgArray(r.refcols);
    const i = cols.indexOf('org_id');
    if (i < 0 || refcols[i] !== 'org_id') out.push(`${r.src}: foreign key ${r.conname} to ${r.dst} does not match org_id to org_id`);
  }
  return out.sort();
}

/** name[] arrives as a JS array from pg, as "{a,b}" text from some drivers. */
function pgArray(v: string[] | string): string[] {
  return Array.isArray(v) ? v : v.replace(/^\{|\}$/g, '').split(',');
}
