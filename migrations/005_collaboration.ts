import { Knex } from 'knex';

/**
 * Accounts as hubs: contacts, teams, assigned users, open/closed status. Visibility for ordinary
 * users is "created it, or assigned directly or through a team", so the join tables are indexed
 * from the user's side as well as the account's.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('accounts', (t) => {
    t.text('status').notNullable().defaultTo('open');
    t.check("status IN ('open', 'closed')", [], 'accounts_status_check');
  });
  await knex.raw('CREATE INDEX accounts_org_created_by ON accounts (org_id, created_by)');
  await knex.raw('CREATE INDEX accounts_parent ON accounts (parent_id) WHERE parent_id IS NOT NULL');
  await knex.raw('CREATE INDEX accounts_towns ON accounts (org_id, lower(address_town))');
  await knex.raw('CREATE INDEX account_industries_industry ON account_industries (industry_id)');

  await knex.schema.createTable('teams', (t) => {
    t.increments('id');
    t.integer('org_id').notNullable().references('orgs.id');
    t.text('name').notNullable();
    t.text('description');
    t.timestamp('created', { useTz: true, precision: 0 }).notNullable().defaultTo(knex.raw("date_trunc('second', now())"));
    t.timestamp('updated', { useTz: true, precision: 3 }).notNullable().defaultTo(knex.raw('clock_timestamp()'));
    t.integer('version').notNullable().defaultTo(1);
  });
  await knex.raw('CREATE UNIQUE INDEX teams_org_name ON teams (org_id, lower(name))');
  await knex.raw('CREATE TRIGGER teams_touch BEFORE UPDATE ON teams FOR EACH ROW EXECUTE FUNCTION v2crm_touch_row()');
  await knex.schema.createTable('team_members', (t) => {
    t.integer('team_id').notNullable().references('teams.id').onDelete('CASCADE');
    t.integer('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.primary(['team_id', 'user_id']);
  });
  await knex.raw('CREATE INDEX team_members_user ON team_members (user_id)');

  await knex.schema.createTable('account_assignees', (t) => {
    t.integer('account_id').notNullable().references('accounts.id').onDelete('CASCADE');
    t.integer('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.primary(['account_id', 'user_id']);
  });
  await knex.raw('CREATE INDEX account_assignees_user ON account_assignees (user_id)');
  await knex.schema.createTable('account_teams', (t) => {
    t.integer('account_id').notNullable().references('accounts.id').onDelete('CASCADE');
    t.integer('team_id').notNullable().references('teams.id').onDelete('CASCADE');
    t.primary(['account_id', 'team_id']);
  });
  await knex.raw('CREATE INDEX account_teams_team ON account_teams (team_id)');

  await knex.schema.createTable('contacts', (t) => {
    t.increments('id');
    t.integer('org_id').notNullable().references('orgs.id');
    t.integer('company_id').notNullable().references('companies.id');
    t.integer('account_id').references('accounts.id');
    for (const c of [
      'salutation', 'first_name', 'middle_name', 'last_name', 'email', 'tel', 'mobile', 'fax', 'job_title', 'department',
      'address_street', 'address_unit', 'address_locality', 'address_town', 'address_region', 'address_postcode',
      'notes', 'external_id', 'import_id',
    ]) t.text(c);
    t.integer('address_country_id');
    t.jsonb('custom_fields').notNullable().defaultTo('{}');
    t.boolean('is_deleted').notNullable().defaultTo(false);
    t.timestamp('deleted_at', { useTz: true, precision: 3 });
    t.integer('version').notNullable().defaultTo(1);
    t.integer('created_by').references('users.id');
    t.timestamp('created_on', { useTz: true, precision: 0 }).notNullable().defaultTo(knex.raw("date_trunc('second', now())"));
    t.timestamp('updated', { useTz: true, precision: 3 }).notNullable().defaultTo(knex.raw('clock_timestamp()'));
  });
  await knex.raw('CREATE INDEX contacts_org_id ON contacts (org_id, id)');
  await knex.raw('CREATE INDEX contacts_account ON contacts (account_id, id) WHERE account_id IS NOT NULL');
  await knex.raw('CREATE INDEX contacts_org_email ON contacts (org_id, lower(email)) WHERE email IS NOT NULL');
  await knex.raw('CREATE INDEX contacts_org_updated ON contacts (org_id, updated, id)');
  await knex.raw('CREATE UNIQUE INDEX contacts_org_external_id ON contacts (org_id, external_id) WHERE external_id IS NOT NULL');
  await knex.raw('CREATE INDEX contacts_custom_fields ON contacts USING gin (custom_fields jsonb_path_ops)');
  await knex.raw('CREATE TRIGGER contacts_touch BEFORE UPDATE ON contacts FOR EACH ROW EXECUTE FUNCTION v2crm_touch_row()');
}

export async function down(knex: Knex): Promise<void> {
  for (const t of ['contacts', 'account_teams', 'account_assignees', 'team_members', 'teams']) await knex.schema.dropTableIfExists(t);
  await knex.schema.alterTable('accounts', (t) => {
    t.dropChecks(['accounts_status_check']);
    t.dropColumn('status');
  });
}
