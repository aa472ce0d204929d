import { AsyncLocalStorage } from 'node:async_hooks';
import fs from 'node:fs';
import { Knex } from 'knex';

/**
 * Every statement the server sends about a tenant table must name that table's org_id (filtered by
 * it, joined on it, or inserted with it): the invariant that lets a Citus router send each request
 * to one node (docs/scaling.md). This checks the SQL text of every statement a spec's requests make.
 */
const REFERENCE = new Set(['orgs', 'users', 'knex_migrations', 'knex_migrations_lock']);
const TENANT = new Set([
  'accounts', 'account_emails', 'account_history', 'account_industries', 'account_tags', 'account_assignees',
  'account_teams', 'attachments', 'comments', 'companies', 'contacts', 'currencies', 'custom_field_definitions',
  'exchange_rates', 'idempotency_keys', 'industries', 'sales_invoices', 'sales_invoice_lines', 'tags', 'teams',
  'team_members', 'account_imports', 'djangocrm_refresh_tokens', 'changes', 'webhooks', 'webhook_deliveries',
]);
const NOT_ALIAS = new Set([
  'where', 'on', 'set', 'join', 'inner', 'left', 'right', 'full', 'cross', 'order', 'group', 'limit', 'offset', 'values',
  'using', 'returning', 'for', 'union', 'as', 'select', 'default', 'having', 'window', 'natural', 'lateral', 'with', 'except',
]);

/** The tenant tables a statement touches without naming their org_id; empty when it is scoped. */
export function unscopedTables(sql: string): string[] {
  const s = sql.toLowerCase().replace(/"/g, '');
  if (/^\s*(begin|commit|rollback|savepoint|release|set |show |create |alter |drop |declare |fetch |close |select pg_|listen|notify)/.test(s)) return [];
  const out: string[] = [];
  const ref = /\b(from|join|update|into)\s+([a-z_][a-z0-9_]*)(?:\s+(?:as\s+)?([a-z_][a-z0-9_]*))?/g;
  for (let m = ref.exec(s); m; m = ref.exec(s)) {
    const table = m[2];
    if (!TENANT.has(table) || REFERENCE.has(table)) continue;
    const alias = m[3] && !NOT_ALIAS.has(m[3]) ? m[3] : table;
    const qualified = new RegExp(`\\b${alias}\\.org_id\\b`).test(s) || new RegExp(`\\b${table}\\.org_id\\b`).test(s);
    // A bare org_id counts when it can only mean this table: one table in the statement.
    const tables = new Set([...s.matchAll(/\b(?:from|join|update|into)\s+([a-z_][a-z0-9_]*)/g)].map((x) => x[1]).filter((x) => TENANT.has(x) || REFERENCE.has(x)));
    const bare = tables.size === 1 && /(^|[^a-z0-9_.])org_id\b/.test(s);
    if (!qualified && !bare) out.push(table);
  }
  return [...new Set(out)];
}

/** Set while an HTTP request is served: statements a spec runs itself (setup, checks) are not the server's. */
export const inRequest = new AsyncLocalStorage<true>();

/** Statements seen without their org_id, across the test file (one line each, deduplicated). */
export const unscoped = new Set<string>();

/**
 * Records every statement `knex` runs while serving a request (see test-app.ts); V2CRM_ORG_SCOPE_LOG=file
 * also appends them there. Background work (the mail worker's outbox scan) spans organisations by
 * design and is outside a request: docs/scaling.md says how it shards.
 */
export function recordOrgScope(knex: Knex): void {
  knex.on('query', (q: { sql?: string }) => {
    if (!q.sql || !inRequest.getStore()) return;
    const bad = unscopedTables(q.sql);
    if (!bad.length) return;
    const line = `${bad.join(',')}: ${q.sql.replace(/\s+/g, ' ').slice(0, 300)}`;
    unscoped.add(line);
    if (process.env.V2CRM_ORG_SCOPE_LOG) fs.appendFileSync(process.env.V2CRM_ORG_SCOPE_LOG, `${line}\n`);
  });
}
