import { Knex } from 'knex';

/**
 * The change feed and webhooks (docs/sync.md).
 *
 * `changes` gets one row per created, updated, deleted or restored record of the five synced tables,
 * written by statement-level AFTER triggers with transition tables: every writer (the v2 routes, the
 * second dialect, the CLI import, a psql session) is recorded, in the writer's own transaction, at
 * one INSERT per statement however many rows it touched. Each row carries its transaction's id
 * (`pg_current_xact_id()`); the feed only shows rows whose transaction id is below the reading
 * snapshot's xmin, in (xid, seq) order, which is what makes it gap-free.
 *
 * The same statement also writes the webhook outbox (`webhook_deliveries`): one row per enabled
 * webhook whose events match, committed (or rolled back) with the change itself.
 */

interface Synced {
  resource: string;
  /** The account the record belongs to (the account itself for accounts): what visibility follows. */
  account: string;
  /** Who created it: visibility of contacts and invoices, and changed_by when no user is set. */
  creator: string;
  /** Column that counts versions, or none (attachments never change). */
  version?: string;
  /** Has is_deleted (soft delete): an update that flips it is a delete or a restore. */
  soft: boolean;
}

const SYNCED: Record<string, Synced> = {
  accounts: { resource: 'crm/accounts', account: 'id', creator: 'created_by', version: 'version', soft: true },
  contacts: { resource: 'crm/contacts', account: 'account_id', creator: 'created_by', version: 'version', soft: true },
  sales_invoices: { resource: 'finance/sales_invoices', account: 'account_id', creator: 'created_by', version: 'version', soft: true },
  comments: { resource: 'crm/comments', account: 'account_id', creator: 'author_id', version: 'version', soft: false },
  attachments: { resource: 'crm/attachments', account: 'account_id', creator: 'uploaded_by', soft: false },
};

/** One statement: the change rows from `select`, and the outbox rows of the webhooks that want them. */
function record(select: string): string {
  return `
    WITH ins AS (
      INSERT INTO changes (org_id, resource, record_id, account_id, owner_id, action, version, changed_by)
      ${select}
      RETURNING org_id, xid, seq, resource, record_id, action)
    INSERT INTO webhook_deliveries (org_id, webhook_id, change_xid, change_seq, resource, record_id, action)
    SELECT ins.org_id, w.id, ins.xid, ins.seq, ins.resource, ins.record_id, ins.action
      FROM ins JOIN webhooks w ON w.org_id = ins.org_id AND w.enabled
       AND w.events && ARRAY[ins.resource || '.' || ins.action || 'd', ins.resource || '.*', '*']
     ORDER BY ins.seq, w.id;`;
}

function triggerFunction(table: string, s: Synced): string {
  const version = (alias: string) => (s.version ? `${alias}.${s.version}` : '1');
  const cols = (alias: string) => `${alias}.org_id, '${s.resource}', ${alias}.id, ${alias}.${s.account}, ${alias}.${s.creator}`;
  const updateAction = s.soft
    ? `CASE WHEN n.is_deleted AND NOT o.is_deleted THEN 'delete' WHEN o.is_deleted AND NOT n.is_deleted THEN 'restore' ELSE 'update' END`
    : `'update'`;
  return `
    CREATE FUNCTION v2crm_changes_${table}() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      actor integer := nullif(current_setting('v2crm.user_id', true), '')::integer;
    BEGIN
      IF TG_OP = 'INSERT' THEN
        ${record(`SELECT ${cols('n')}, 'create', ${version('n')}, coalesce(actor, n.${s.creator}) FROM new_rows n ORDER BY n.id`)}
      ELSIF TG_OP = 'UPDATE' THEN
        ${record(`SELECT ${cols('n')}, ${updateAction}, ${version('n')}, actor
             FROM new_rows n JOIN old_rows o ON o.org_id = n.org_id AND o.id = n.id ORDER BY n.id`)}
      ELSE
        ${record(`SELECT ${cols('o')}, 'delete', ${version('o')}, actor FROM old_rows o ORDER BY o.id`)}
      END IF;
      RETURN NULL;
    END $$`;
}

export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE SEQUENCE changes_seq');
  await knex.raw(`
    CREATE TABLE changes (
      org_id integer NOT NULL REFERENCES orgs (id),
      xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
      seq bigint NOT NULL DEFAULT nextval('changes_seq'),
      resource text NOT NULL,
      record_id integer NOT NULL,
      account_id integer,
      owner_id integer,
      action text NOT NULL CHECK (action IN ('create', 'update', 'delete', 'restore')),
      version integer NOT NULL,
      changed_at timestamptz(3) NOT NULL DEFAULT clock_timestamp(),
      changed_by integer,
      PRIMARY KEY (org_id, xid, seq)
    )`);
  await knex.raw('ALTER SEQUENCE changes_seq OWNED BY changes.seq');
  await knex.raw('CREATE INDEX changes_resource ON changes (org_id, resource, xid, seq)');

  await knex.raw(`
    CREATE TABLE webhooks (
      id serial,
      org_id integer NOT NULL REFERENCES orgs (id),
      url text NOT NULL,
      events text[] NOT NULL,
      secret text NOT NULL,
      enabled boolean NOT NULL DEFAULT true,
      disabled_reason text,
      created_by integer NOT NULL REFERENCES users (id),
      created timestamptz(3) NOT NULL DEFAULT clock_timestamp(),
      updated timestamptz(3) NOT NULL DEFAULT clock_timestamp(),
      PRIMARY KEY (org_id, id)
    )`);

  await knex.raw(`
    CREATE TABLE webhook_deliveries (
      id bigserial,
      org_id integer NOT NULL REFERENCES orgs (id),
      webhook_id integer NOT NULL,
      change_xid xid8 NOT NULL,
      change_seq bigint NOT NULL,
      resource text NOT NULL,
      record_id integer NOT NULL,
      action text NOT NULL,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'delivered', 'failed')),
      attempts integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz(3) NOT NULL DEFAULT clock_timestamp(),
      locked_until timestamptz(3),
      last_error text,
      response_code integer,
      delivered_at timestamptz(3),
      created timestamptz(3) NOT NULL DEFAULT clock_timestamp(),
      PRIMARY KEY (org_id, id),
      FOREIGN KEY (org_id, webhook_id) REFERENCES webhooks (org_id, id) ON DELETE CASCADE
    )`);
  await knex.raw("CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at, id) WHERE status = 'pending'");
  await knex.raw("CREATE INDEX webhook_deliveries_lapsed ON webhook_deliveries (locked_until) WHERE status = 'sending'");
  // "Is an earlier delivery of this record still open?": the per-record order of the worker.
  await knex.raw("CREATE INDEX webhook_deliveries_open ON webhook_deliveries (org_id, webhook_id, resource, record_id, id) WHERE status IN ('pending', 'sending')");
  await knex.raw('CREATE INDEX webhook_deliveries_list ON webhook_deliveries (org_id, webhook_id, id)');

  for (const [table, s] of Object.entries(SYNCED)) {
    // What exists already is where the feed begins: one entry per record, in id order.
    await knex.raw(
      `INSERT INTO changes (org_id, resource, record_id, account_id, owner_id, action, version, changed_by)
       SELECT t.org_id, '${s.resource}', t.id, t.${s.account}, t.${s.creator}, ${s.soft ? "CASE WHEN t.is_deleted THEN 'delete' ELSE 'create' END" : "'create'"},
              ${s.version ? `t.${s.version}` : '1'}, t.${s.creator}
         FROM ${table} t ORDER BY t.org_id, t.id`,
    );
    await knex.raw(triggerFunction(table, s));
    // PostgreSQL allows transition tables only on single-event triggers: one trigger per event.
    await knex.raw(`CREATE TRIGGER ${table}_changes_insert AFTER INSERT ON ${table} REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION v2crm_changes_${table}()`);
    await knex.raw(`CREATE TRIGGER ${table}_changes_update AFTER UPDATE ON ${table} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION v2crm_changes_${table}()`);
    await knex.raw(`CREATE TRIGGER ${table}_changes_delete AFTER DELETE ON ${table} REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION v2crm_changes_${table}()`);
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const table of Object.keys(SYNCED)) {
    for (const op of ['insert', 'update', 'delete']) await knex.raw(`DROP TRIGGER IF EXISTS ${table}_changes_${op} ON ${table}`);
    await knex.raw(`DROP FUNCTION IF EXISTS v2crm_changes_${table}()`);
  }
  await knex.raw('DROP TABLE IF EXISTS webhook_deliveries');
  await knex.raw('DROP TABLE IF EXISTS webhooks');
  await knex.raw('DROP TABLE IF EXISTS changes');
}
