import { Knex } from 'knex';

/**
 * Every key of a tenant table includes org_id, the invariant that lets each tenant table be
 * distributed by org_id (Citus, docs/scaling.md; spec/schema/tenancy.spec.ts checks it): join tables
 * get an org_id (filled from their parent), primary keys become (org_id, id), unique constraints
 * gain org_id, and foreign keys between tenant tables match org_id to org_id. Ids, sequences and data
 * are kept as they are. `orgs` and `users` stay reference tables.
 */
const JOIN_TABLES: [table: string, parent: string, parentKey: string][] = [
  ['account_industries', 'accounts', 'account_id'],
  ['account_tags', 'accounts', 'account_id'],
  ['account_assignees', 'accounts', 'account_id'],
  ['account_teams', 'accounts', 'account_id'],
  ['team_members', 'teams', 'team_id'],
  ['sales_invoice_lines', 'sales_invoices', 'invoice_id'],
];

/** Tenant-to-tenant foreign keys: [table, column, referenced table, ON DELETE]. */
const FOREIGN_KEYS: [string, string, string, 'CASCADE' | 'NO ACTION'][] = [
  ['accounts', 'company_id', 'companies', 'NO ACTION'],
  ['contacts', 'company_id', 'companies', 'NO ACTION'],
  ['contacts', 'account_id', 'accounts', 'NO ACTION'],
  ['sales_invoices', 'account_id', 'accounts', 'NO ACTION'],
  ['sales_invoices', 'company_id', 'companies', 'NO ACTION'],
  ['sales_invoice_lines', 'invoice_id', 'sales_invoices', 'CASCADE'],
  ['account_industries', 'account_id', 'accounts', 'CASCADE'],
  ['account_industries', 'industry_id', 'industries', 'CASCADE'],
  ['account_tags', 'account_id', 'accounts', 'CASCADE'],
  ['account_tags', 'tag_id', 'tags', 'CASCADE'],
  ['account_assignees', 'account_id', 'accounts', 'CASCADE'],
  ['account_teams', 'account_id', 'accounts', 'CASCADE'],
  ['account_teams', 'team_id', 'teams', 'CASCADE'],
  ['team_members', 'team_id', 'teams', 'CASCADE'],
  ['comments', 'account_id', 'accounts', 'CASCADE'],
  ['attachments', 'account_id', 'accounts', 'NO ACTION'],
  ['account_emails', 'account_id', 'accounts', 'NO ACTION'],
  ['account_history', 'account_id', 'accounts', 'CASCADE'],
];

/** Primary keys after this migration (before: `id`, or the join table's pair). */
const PRIMARY_KEYS: Record<string, string[]> = {
  accounts: ['id'], account_emails: ['id'], account_history: ['id'], attachments: ['id'], comments: ['id'],
  companies: ['id'], contacts: ['id'], currencies: ['id'], custom_field_definitions: ['id'], exchange_rates: ['id'],
  industries: ['id'], sales_invoices: ['id'], sales_invoice_lines: ['id'], tags: ['id'], teams: ['id'],
  account_industries: ['account_id', 'industry_id'], account_tags: ['account_id', 'tag_id'],
  account_assignees: ['account_id', 'user_id'], account_teams: ['account_id', 'team_id'], team_members: ['team_id', 'user_id'],
};

export async function up(knex: Knex): Promise<void> {
  for (const [table, parent, key] of JOIN_TABLES) {
    await knex.raw('ALTER TABLE ?? ADD COLUMN org_id integer REFERENCES orgs (id)', [table]);
    await knex.raw('UPDATE ?? AS j SET org_id = p.org_id FROM ?? AS p WHERE p.id = j.??', [table, parent, key]);
    await knex.raw('ALTER TABLE ?? ALTER COLUMN org_id SET NOT NULL', [table]);
  }
  // Foreign keys depend on the primary keys they reference: drop them first, add them back after.
  for (const [table, column] of FOREIGN_KEYS) await knex.raw('ALTER TABLE ?? DROP CONSTRAINT ??', [table, `${table}_${column}_foreign`]);
  for (const [table, columns] of Object.entries(PRIMARY_KEYS)) {
    await knex.raw('ALTER TABLE ?? DROP CONSTRAINT ??', [table, `${table}_pkey`]);
    await knex.raw(`ALTER TABLE ?? ADD CONSTRAINT ?? PRIMARY KEY (org_id, ${columns.map(() => '??').join(', ')})`, [table, `${table}_pkey`, ...columns]);
  }
  await knex.raw('ALTER TABLE attachments DROP CONSTRAINT attachments_storage_key_unique');
  await knex.raw('ALTER TABLE attachments ADD CONSTRAINT attachments_storage_key_unique UNIQUE (org_id, storage_key)');
  await knex.raw('ALTER TABLE sales_invoice_lines DROP CONSTRAINT sales_invoice_lines_invoice_id_position_unique');
  await knex.raw('ALTER TABLE sales_invoice_lines ADD CONSTRAINT sales_invoice_lines_invoice_id_position_unique UNIQUE (org_id, invoice_id, position)');
  for (const [table, column, ref, onDelete] of FOREIGN_KEYS) {
    await knex.raw(`ALTER TABLE ?? ADD CONSTRAINT ?? FOREIGN KEY (org_id, ??) REFERENCES ?? (org_id, id) ON DELETE ${onDelete}`, [
      table, `${table}_${column}_foreign`, column, ref,
    ]);
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const [table, column] of FOREIGN_KEYS) await knex.raw('ALTER TABLE ?? DROP CONSTRAINT ??', [table, `${table}_${column}_foreign`]);
  await knex.raw('ALTER TABLE sales_invoice_lines DROP CONSTRAINT sales_invoice_lines_invoice_id_position_unique');
  await knex.raw('ALTER TABLE sales_invoice_lines ADD CONSTRAINT sales_invoice_lines_invoice_id_position_unique UNIQUE (invoice_id, position)');
  await knex.raw('ALTER TABLE attachments DROP CONSTRAINT attachments_storage_key_unique');
  await knex.raw('ALTER TABLE attachments ADD CONSTRAINT attachments_storage_key_unique UNIQUE (storage_key)');
  for (const [table, columns] of Object.entries(PRIMARY_KEYS)) {
    await knex.raw('ALTER TABLE ?? DROP CONSTRAINT ??', [table, `${table}_pkey`]);
    await knex.raw(`ALTER TABLE ?? ADD CONSTRAINT ?? PRIMARY KEY (${columns.map(() => '??').join(', ')})`, [table, `${table}_pkey`, ...columns]);
  }
  for (const [table, column, ref, onDelete] of FOREIGN_KEYS) {
    await knex.raw(`ALTER TABLE ?? ADD CONSTRAINT ?? FOREIGN KEY (??) REFERENCES ?? (id) ON DELETE ${onDelete}`, [table, `${table}_${column}_foreign`, column, ref]);
  }
  for (const [table] of JOIN_TABLES) await knex.raw('ALTER TABLE ?? DROP COLUMN org_id', [table]);
}
