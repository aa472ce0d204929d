import { Knex } from 'knex';

/**
 * The ledger of account imports: one row per run of `v2crm import accounts FILE`, keyed by the
 * file's SHA-256. Each batch moves `records_done` and the counts in the batch's own transaction, so
 * a killed import resumes after its last committed batch, and a finished file whose records carry
 * no key (external_id / import_id) is not imported twice by mistake.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('account_imports', (t) => {
    // Keyed (org_id, id) like every tenant table, so it distributes by org_id (docs/scaling.md).
    t.increments('id', { primaryKey: false });
    t.integer('org_id').notNullable().references('orgs.id');
    t.primary(['org_id', 'id']);
    t.integer('user_id').references('users.id');
    t.text('file_name').notNullable();
    t.text('file_sha256').notNullable();
    t.bigInteger('file_bytes').notNullable();
    t.text('format').notNullable();
    t.text('state').notNullable().defaultTo('running');
    t.integer('records_done').notNullable().defaultTo(0);
    for (const c of ['created', 'updated', 'unchanged', 'failed', 'unkeyed']) t.integer(c).notNullable().defaultTo(0);
    t.timestamp('started_at', { useTz: true, precision: 3 }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('finished_at', { useTz: true, precision: 3 });
    t.check("state IN ('running', 'done')", [], 'account_imports_state_check');
  });
  await knex.raw('CREATE INDEX account_imports_file ON account_imports (org_id, file_sha256, id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('account_imports');
}
