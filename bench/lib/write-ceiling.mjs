import pg from 'pg';

/**
 * The raw PostgreSQL ceiling for scenario 6: the statements v2crm sends for one POST and one PUT of an
 * account (read from its SQL log, `DEBUG=knex:query`), in one transaction each, from `clients`
 * connections of node-postgres with no HTTP, no framework and no JSON work beyond the history text.
 */
const CREATE = [
  `insert into "accounts" ("address_town", "company_id", "created_by", "custom_fields", "is_customer", "name", "org_id") values ($1, $2, $3, $4, $5, $6, $7) returning *`,
  `insert into "account_history" ("account_id", "action", "changes", "org_id", "user_id", "version") values ($1, $2, $3, $4, $5, $6)`,
];
const UPDATE = [
  `select "accounts".* from "accounts" where "accounts"."org_id" = $1 and "accounts"."id" = $2 limit $3 for update`,
  `update "accounts" set "notes" = $1 where "accounts"."org_id" = $2 and "accounts"."id" = $3 returning "accounts".*`,
];

export async function writeCeiling({ url, clients, duration, kind, randomId }) {
  const conns = await Promise.all(Array.from({ length: clients }, async () => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    return c;
  }));
  let done = 0;
  let n = 0;
  const until = Date.now() + duration * 1000;
  try {
    await Promise.all(conns.map(async (c) => {
      while (Date.now() < until) {
        const k = ++n;
        await c.query('BEGIN');
        if (kind === 'create') {
          const row = (await c.query({ name: 'c1', text: CREATE[0], values: ['Leeds', 1, 1, '{}', true, `Ceiling ${k}`, 1] })).rows[0];
          const changes = JSON.stringify({ company_id: { old: null, new: 1 }, name: { old: null, new: row.name }, address_town: { old: null, new: 'Leeds' }, is_customer: { old: null, new: true } });
          await c.query({ name: 'c2', text: CREATE[1], values: [row.id, 'create', changes, 1, 1, 1] });
        } else {
          const id = randomId();
          const before = (await c.query({ name: 'u1', text: UPDATE[0], values: [1, id, 1] })).rows[0];
          const row = (await c.query({ name: 'u2', text: UPDATE[1], values: [`ceiling ${k}`, 1, id] })).rows[0];
          await c.query({ name: 'c2', text: CREATE[1], values: [id, 'update', JSON.stringify({ notes: { old: before?.notes ?? null, new: row?.notes } }), 1, 1, 2] });
        }
        await c.query('COMMIT');
        done++;
      }
    }));
  } finally {
    await Promise.all(conns.map((c) => c.end()));
  }
  return { rps: Math.round(done / duration), requests: done };
}
