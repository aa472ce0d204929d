import { Knex } from 'knex';

/**
 * Organisations, users, currencies, companies and accounts with their lookup relations.
 * Every tenant table carries org_id and every query is scoped by it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE EXTENSION IF NOT EXISTS pg_trgm');

  await knex.schema.createTable('orgs', (t) => {
    t.increments('id');
    t.text('name').notNullable();
    t.timestamp('created', { useTz: true, precision: 3 }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('users', (t) => {
    t.increments('id');
    t.integer('org_id').notNullable().references('orgs.id');
    t.text('email').notNullable();
    t.text('name');
    t.text('password_hash').notNullable();
    t.text('role').notNullable().defaultTo('user');
    t.boolean('is_active').notNullable().defaultTo(true);
    t.timestamp('created', { useTz: true, precision: 3 }).notNullable().defaultTo(knex.fn.now());
    t.check("role IN ('admin', 'user')", [], 'users_role_check');
  });
  // One login per e-mail address, whatever its case.
  await knex.raw('CREATE UNIQUE INDEX users_email_unique ON users (lower(email))');

  await knex.schema.createTable('currencies', (t) => {
    t.increments('id');
    t.integer('org_id').notNullable().references('orgs.id');
    t.string('code', 3).notNullable();
    t.text('name').notNullable();
    t.text('symbol');
    t.text('html_code');
    t.smallint('minor_units').notNullable().defaultTo(2);
    t.boolean('is_base').notNullable().defaultTo(false);
    t.unique(['org_id', 'code']);
  });

  await knex.schema.createTable('companies', (t) => {
    t.increments('id');
    t.integer('org_id').notNullable().references('orgs.id');
    t.text('code').notNullable();
    t.text('name').notNullable();
    t.string('currency_code', 3).notNullable();
    t.jsonb('settings');
    t.text('bank_details');
    t.text('registration_numbers');
    t.integer('account_id');
    t.unique(['org_id', 'code']);
    t.foreign(['org_id', 'currency_code']).references(['org_id', 'code']).inTable('currencies');
  });
  await knex.raw('CREATE INDEX companies_org ON companies (org_id, id)');

  await knex.schema.createTable('accounts', (t) => {
    t.increments('id');
    t.integer('org_id').notNullable().references('orgs.id');
    t.integer('company_id').notNullable().references('companies.id');
    t.text('name').notNullable();
    for (const c of [
      'shipping_address_locality', 'import_id', 'tel', 'address_unit', 'company_number', 'url',
      'shipping_address_street', 'vat_number', 'address_postcode', 'address_country',
      'shipping_address_postcode', 'address_street', 'source', 'address_region', 'source_details',
      'notes', 'billing_contact_person', 'billing_address_locality', 'email', 'billing_address_region',
      'fax', 'account_type', 'description', 'billing_address_unit', 'partner_type', 'address_town',
      'billing_address_postcode', 'shipping_address_town', 'billing_address_street',
      'shipping_address_region', 'mobile', 'shipping_contact_person', 'shipping_address_unit',
      'address_locality', 'external_id', 'bank_details', 'billing_address_town',
    ]) t.text(c);
    for (const c of [
      'primary_contact_id', 'billing_address_country_id', 'default_price_level_id', 'parent_id',
      'shipping_address_country_id', 'initial_contact_id',
    ]) t.integer(c);
    t.integer('default_approver').notNullable().defaultTo(0);
    t.boolean('no_publicity');
    for (const c of ['is_employee', 'is_individual', 'is_supplier', 'is_partner', 'is_customer']) {
      t.boolean(c).notNullable().defaultTo(false);
    }
    t.date('customer_since');
    t.jsonb('custom_fields').notNullable().defaultTo('{}');
    t.boolean('is_deleted').notNullable().defaultTo(false);
    t.timestamp('deleted_at', { useTz: true, precision: 3 });
    t.integer('version').notNullable().defaultTo(1);
    t.integer('created_by').references('users.id');
    t.timestamp('created', { useTz: true, precision: 0 }).notNullable().defaultTo(knex.raw('date_trunc(\'second\', now())'));
    // clock_timestamp, not now(): rows written in one transaction (imports, bulk) get distinct times.
    t.timestamp('updated', { useTz: true, precision: 3 }).notNullable().defaultTo(knex.raw('clock_timestamp()'));
  });
  // What sync jobs filter and page on: every index leads with org_id, the scope of every query.
  await knex.raw('CREATE INDEX accounts_org_id ON accounts (org_id, id)');
  await knex.raw('CREATE INDEX accounts_org_external_id ON accounts (org_id, external_id)');
  await knex.raw('CREATE INDEX accounts_org_updated ON accounts (org_id, updated, id)');
  await knex.raw('CREATE INDEX accounts_org_name ON accounts (org_id, name, id)');
  await knex.raw('CREATE INDEX accounts_name_trgm ON accounts USING gin (lower(name) gin_trgm_ops)');
  await knex.raw('CREATE INDEX accounts_custom_fields ON accounts USING gin (custom_fields jsonb_path_ops)');

  // `updated` and `version` move on every change, set by the database so no writer can forget them.
  await knex.raw(`
    CREATE FUNCTION v2crm_touch_row() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      NEW.updated := clock_timestamp();
      NEW.version := OLD.version + 1;
      RETURN NEW;
    END $$`);
  await knex.raw('CREATE TRIGGER accounts_touch BEFORE UPDATE ON accounts FOR EACH ROW EXECUTE FUNCTION v2crm_touch_row()');

  await knex.schema.createTable('industries', (t) => {
    t.increments('id');
    t.integer('org_id').notNullable().references('orgs.id');
    t.text('name').notNullable();
    t.unique(['org_id', 'name']);
  });
  await knex.schema.createTable('account_industries', (t) => {
    t.integer('account_id').notNullable().references('accounts.id').onDelete('CASCADE');
    t.integer('industry_id').notNullable().references('industries.id').onDelete('CASCADE');
    t.primary(['account_id', 'industry_id']);
  });

  await knex.schema.createTable('tags', (t) => {
    t.increments('id');
    t.integer('org_id').notNullable().references('orgs.id');
    t.text('name').notNullable();
    t.unique(['org_id', 'name']);
  });
  await knex.schema.createTable('account_tags', (t) => {
    t.integer('account_id').notNullable().references('accounts.id').onDelete('CASCADE');
    t.integer('tag_id').notNullable().references('tags.id').onDelete('CASCADE');
    t.primary(['account_id', 'tag_id']);
  });
  await knex.raw('CREATE INDEX account_tags_tag ON account_tags (tag_id)');

  await knex.schema.createTable('custom_field_definitions', (t) => {
    t.increments('id');
    t.integer('org_id').notNullable().references('orgs.id');
    t.text('model').notNullable();
    t.text('key').notNullable();
    t.text('type').notNullable();
    t.text('label').notNullable();
    t.jsonb('choices');
    t.timestamp('created', { useTz: true, precision: 3 }).notNullable().defaultTo(knex.fn.now());
    t.unique(['org_id', 'model', 'key']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const t of [
    'custom_field_definitions', 'account_tags', 'tags', 'account_industries', 'industries',
    'accounts', 'companies', 'currencies', 'users', 'orgs',
  ]) await knex.schema.dropTableIfExists(t);
  await knex.raw('DROP FUNCTION IF EXISTS v2crm_touch_row()');
}
