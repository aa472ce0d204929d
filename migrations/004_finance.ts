import { Knex } from 'knex';

/**
 * Exchange rates and sales invoices. An account's balance is one aggregate over its open invoices;
 * the partial covering index below is what that aggregate reads.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('exchange_rates', (t) => {
    t.increments('id');
    t.integer('org_id').notNullable().references('orgs.id');
    t.string('currency_code', 3).notNullable();
    // Units of this currency for one unit of the organisation's base currency (GBP 1 = EUR 1.15).
    t.decimal('rate', 20, 10).notNullable();
    t.date('valid_from').notNullable();
    t.timestamp('created', { useTz: true, precision: 3 }).notNullable().defaultTo(knex.fn.now());
    t.unique(['org_id', 'currency_code', 'valid_from']);
    t.foreign(['org_id', 'currency_code']).references(['org_id', 'code']).inTable('currencies');
    t.check('rate > 0', [], 'exchange_rates_rate_positive');
  });

  await knex.schema.createTable('sales_invoices', (t) => {
    t.increments('id');
    t.integer('org_id').notNullable().references('orgs.id');
    t.integer('account_id').notNullable().references('accounts.id');
    t.integer('company_id').notNullable().references('companies.id');
    t.string('currency_code', 3).notNullable();
    t.date('date').notNullable();
    t.date('due_date');
    t.text('reference');
    t.text('description');
    t.decimal('total', 18, 4).notNullable();
    t.decimal('amount_paid', 18, 4).notNullable().defaultTo(0);
    t.text('status').notNullable().defaultTo('open');
    t.boolean('is_deleted').notNullable().defaultTo(false);
    t.timestamp('deleted_at', { useTz: true, precision: 3 });
    t.integer('version').notNullable().defaultTo(1);
    t.integer('created_by').references('users.id');
    t.timestamp('created', { useTz: true, precision: 0 }).notNullable().defaultTo(knex.raw("date_trunc('second', now())"));
    t.timestamp('updated', { useTz: true, precision: 3 }).notNullable().defaultTo(knex.raw('clock_timestamp()'));
    t.foreign(['org_id', 'currency_code']).references(['org_id', 'code']).inTable('currencies');
    t.check("status IN ('open', 'paid', 'void')", [], 'sales_invoices_status_check');
    t.check('amount_paid >= 0 AND amount_paid <= total', [], 'sales_invoices_paid_range');
  });
  await knex.raw('CREATE INDEX sales_invoices_org_id ON sales_invoices (org_id, id)');
  await knex.raw('CREATE INDEX sales_invoices_org_updated ON sales_invoices (org_id, updated, id)');
  await knex.raw(
    "CREATE INDEX sales_invoices_balance ON sales_invoices (org_id, account_id, currency_code) INCLUDE (total, amount_paid) WHERE NOT is_deleted AND status <> 'void'",
  );
  await knex.raw('CREATE TRIGGER sales_invoices_touch BEFORE UPDATE ON sales_invoices FOR EACH ROW EXECUTE FUNCTION v2crm_touch_row()');

  await knex.schema.createTable('sales_invoice_lines', (t) => {
    t.increments('id');
    t.integer('invoice_id').notNullable().references('sales_invoices.id').onDelete('CASCADE');
    t.smallint('position').notNullable();
    t.text('description');
    t.decimal('quantity', 18, 4).notNullable();
    t.decimal('unit_price', 18, 4).notNullable();
    t.unique(['invoice_id', 'position']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('sales_invoice_lines');
  await knex.schema.dropTableIfExists('sales_invoices');
  await knex.schema.dropTableIfExists('exchange_rates');
}
