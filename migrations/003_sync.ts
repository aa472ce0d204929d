import { Knex } from 'knex';

/**
 * ERP sync: external_id unique per organisation (so racing upserts cannot make two rows),
 * idempotency keys, and the change history of accounts.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS accounts_org_external_id');
  await knex.raw('CREATE UNIQUE INDEX accounts_org_external_id_unique ON accounts (org_id, external_id) WHERE external_id IS NOT NULL');

  // Imports match records without an external_id on import_id.
  await knex.raw('CREATE INDEX accounts_org_import_id ON accounts (org_id, import_id) WHERE import_id IS NOT NULL');

  await knex.schema.createTable('idempotency_keys', (t) => {
    t.integer('org_id').notNullable().references('orgs.id');
    t.integer('user_id').notNullable().references('users.id');
    t.text('key').notNullable();
    t.text('request_hash').notNullable();
    t.text('state').notNullable().defaultTo('in_progress');
    t.smallint('status');
    t.jsonb('headers');
    t.text('body');
    t.timestamp('created', { useTz: true, precision: 3 }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true, precision: 3 }).notNullable();
    t.primary(['org_id', 'user_id', 'key']);
    t.check("state IN ('in_progress', 'done')", [], 'idempotency_keys_state_check');
  });
  await knex.raw('CREATE INDEX idempotency_keys_expires ON idempotency_keys (expires_at)');

  await knex.schema.createTable('account_history', (t) => {
    t.bigIncrements('id');
    t.integer('org_id').notNullable().references('orgs.id');
    t.integer('account_id').notNullable().references('accounts.id').onDelete('CASCADE');
    t.integer('user_id').references('users.id');
    t.text('action').notNullable();
    t.integer('version').notNullable();
    t.jsonb('changes').notNullable();
    t.timestamp('at', { useTz: true, precision: 3 }).notNullable().defaultTo(knex.raw('clock_timestamp()'));
    t.check("action IN ('create', 'update', 'delete', 'restore')", [], 'account_history_action_check');
  });
  await knex.raw('CREATE INDEX account_history_account ON account_history (account_id, id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('account_history');
  await knex.schema.dropTableIfExists('idempotency_keys');
  await knex.raw('DROP INDEX IF EXISTS accounts_org_external_id_unique');
  await knex.raw('DROP INDEX IF EXISTS accounts_org_import_id');
  await knex.raw('CREATE INDEX accounts_org_external_id ON accounts (org_id, external_id)');
}
