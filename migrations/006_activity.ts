import { Knex } from 'knex';

/**
 * Activity on accounts: comments, attachments (the file on disk, its metadata here) and an e-mail
 * outbox that workers drain with FOR UPDATE SKIP LOCKED, so two workers never take the same mail.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('comments', (t) => {
    t.increments('id');
    t.integer('org_id').notNullable().references('orgs.id');
    t.integer('account_id').notNullable().references('accounts.id').onDelete('CASCADE');
    t.integer('author_id').notNullable().references('users.id');
    t.text('comment').notNullable();
    t.timestamp('commented_on', { useTz: true, precision: 0 }).notNullable().defaultTo(knex.raw("date_trunc('second', now())"));
    t.timestamp('updated', { useTz: true, precision: 3 }).notNullable().defaultTo(knex.raw('clock_timestamp()'));
    t.integer('version').notNullable().defaultTo(1);
  });
  await knex.raw('CREATE INDEX comments_account ON comments (account_id, id)');
  await knex.raw('CREATE TRIGGER comments_touch BEFORE UPDATE ON comments FOR EACH ROW EXECUTE FUNCTION v2crm_touch_row()');

  await knex.schema.createTable('attachments', (t) => {
    t.increments('id');
    t.integer('org_id').notNullable().references('orgs.id');
    t.integer('account_id').notNullable().references('accounts.id');
    t.integer('uploaded_by').notNullable().references('users.id');
    t.text('file_name').notNullable();
    t.text('content_type').notNullable();
    t.bigInteger('size').notNullable();
    t.text('sha256').notNullable();
    /** The file's name on disk: random, never derived from the client's file name. */
    t.text('storage_key').notNullable().unique();
    t.timestamp('created_on', { useTz: true, precision: 0 }).notNullable().defaultTo(knex.raw("date_trunc('second', now())"));
  });
  await knex.raw('CREATE INDEX attachments_account ON attachments (account_id, id)');

  await knex.schema.createTable('account_emails', (t) => {
    t.increments('id');
    t.integer('org_id').notNullable().references('orgs.id');
    t.integer('account_id').notNullable().references('accounts.id');
    t.integer('created_by').notNullable().references('users.id');
    t.text('from_account').notNullable();
    t.jsonb('recipients').notNullable();
    t.jsonb('recipient_contact_ids').notNullable().defaultTo('[]');
    t.text('subject').notNullable();
    t.text('html').notNullable();
    t.boolean('scheduled_later').notNullable().defaultTo(false);
    t.timestamp('scheduled_at', { useTz: true, precision: 3 });
    t.text('status').notNullable();
    t.integer('attempts').notNullable().defaultTo(0);
    t.text('last_error');
    t.timestamp('next_attempt_at', { useTz: true, precision: 3 }).notNullable();
    /** While `sending`: when the claim lapses, so a crashed worker's mail is taken up again. */
    t.timestamp('locked_until', { useTz: true, precision: 3 });
    t.text('message_id');
    t.timestamp('sent_at', { useTz: true, precision: 3 });
    t.timestamp('created_on', { useTz: true, precision: 0 }).notNullable().defaultTo(knex.raw("date_trunc('second', now())"));
    t.timestamp('updated', { useTz: true, precision: 3 }).notNullable().defaultTo(knex.raw('clock_timestamp()'));
    t.integer('version').notNullable().defaultTo(1);
    t.check("status IN ('queued', 'scheduled', 'sending', 'sent', 'failed')", [], 'account_emails_status_check');
  });
  await knex.raw('CREATE INDEX account_emails_account ON account_emails (account_id, id)');
  // The worker's question, "what is due?", answered from a small partial index.
  await knex.raw("CREATE INDEX account_emails_due ON account_emails (next_attempt_at, id) WHERE status IN ('queued', 'scheduled')");
  await knex.raw("CREATE INDEX account_emails_lapsed ON account_emails (locked_until) WHERE status = 'sending'");
  await knex.raw('CREATE TRIGGER account_emails_touch BEFORE UPDATE ON account_emails FOR EACH ROW EXECUTE FUNCTION v2crm_touch_row()');
}

export async function down(knex: Knex): Promise<void> {
  for (const t of ['account_emails', 'attachments', 'comments']) await knex.schema.dropTableIfExists(t);
}
