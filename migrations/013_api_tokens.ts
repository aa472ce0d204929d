import { Knex } from 'knex';

/**
 * API tokens for scripts: only the SHA-256 of the token is stored (the token itself is shown once),
 * so a database dump does not hand out working credentials. `prefix` is the token's first characters,
 * kept so a person can tell tokens apart in a list.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('api_tokens', (t) => {
    t.increments('id');
    t.integer('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.text('name').notNullable();
    t.text('prefix').notNullable();
    t.text('token_hash').notNullable().unique();
    t.timestamp('created', { useTz: true, precision: 3 }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true, precision: 3 });
    t.timestamp('last_used_at', { useTz: true, precision: 3 });
    t.timestamp('revoked_at', { useTz: true, precision: 3 });
  });
  await knex.raw('CREATE INDEX api_tokens_user ON api_tokens (user_id, id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('api_tokens');
}
