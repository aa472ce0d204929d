import { Knex } from 'knex';

/**
 * Cross-process cache invalidation: every server process keeps short-lived caches (verified
 * credentials, each organisation's companies), and LISTENs on `v2crm_invalidate`. These triggers
 * NOTIFY on every change that makes such a cache stale, whoever makes it (another process, the CLI,
 * plain SQL), and PostgreSQL delivers it at commit only, so no process reloads before the change is
 * visible.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE FUNCTION v2crm_notify_invalidate() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      r record;
    BEGIN
      IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
      IF TG_TABLE_NAME = 'users' THEN
        PERFORM pg_notify('v2crm_invalidate', 'users:' || r.id);
      ELSE
        PERFORM pg_notify('v2crm_invalidate', 'companies:' || r.org_id);
      END IF;
      RETURN NULL;
    END $$`);
  await knex.raw('CREATE TRIGGER users_invalidate AFTER UPDATE OR DELETE ON users FOR EACH ROW EXECUTE FUNCTION v2crm_notify_invalidate()');
  await knex.raw(
    'CREATE TRIGGER companies_invalidate AFTER INSERT OR UPDATE OR DELETE ON companies FOR EACH ROW EXECUTE FUNCTION v2crm_notify_invalidate()',
  );
  // A company's wire shape embeds its currency.
  await knex.raw('CREATE TRIGGER currencies_invalidate AFTER UPDATE OR DELETE ON currencies FOR EACH ROW EXECUTE FUNCTION v2crm_notify_invalidate()');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER IF EXISTS users_invalidate ON users');
  await knex.raw('DROP TRIGGER IF EXISTS companies_invalidate ON companies');
  await knex.raw('DROP TRIGGER IF EXISTS currencies_invalidate ON currencies');
  await knex.raw('DROP FUNCTION IF EXISTS v2crm_notify_invalidate()');
}
