import { Knex } from 'knex';

/**
 * Checks and an index that every account write paid for and that prove nothing another one does not.
 * Measured on an import batch of 1,000 accounts (EXPLAIN ANALYZE, bench/README.md "Round four"): each
 * foreign key costs PostgreSQL a lookup per row (5.5–7 ms a batch), each btree an insert per row.
 *
 * - `accounts.org_id → orgs`: `company_id` is NOT NULL and `(org_id, company_id) → companies`, whose
 *   `org_id → orgs` already holds, so an account's organisation always exists.
 * - `account_history.org_id → orgs`: `(org_id, account_id) → accounts` already proves it.
 * - `changes.org_id → orgs`: the feed's rows are written only by the triggers of migration 014,
 *   copying `org_id` from the row just written, which has been checked.
 * - The index `accounts_org_id (org_id, id)` is the primary key's own index a second time.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE accounts DROP CONSTRAINT accounts_org_id_foreign');
  await knex.raw('ALTER TABLE account_history DROP CONSTRAINT account_history_org_id_foreign');
  await knex.raw('ALTER TABLE changes DROP CONSTRAINT changes_org_id_fkey');
  await knex.raw('DROP INDEX accounts_org_id');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX accounts_org_id ON accounts (org_id, id)');
  await knex.raw('ALTER TABLE changes ADD CONSTRAINT changes_org_id_fkey FOREIGN KEY (org_id) REFERENCES orgs (id)');
  await knex.raw('ALTER TABLE account_history ADD CONSTRAINT account_history_org_id_foreign FOREIGN KEY (org_id) REFERENCES orgs (id)');
  await knex.raw('ALTER TABLE accounts ADD CONSTRAINT accounts_org_id_foreign FOREIGN KEY (org_id) REFERENCES orgs (id)');
}
