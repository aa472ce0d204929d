/**
 * The ceiling for GET /api/v2/crm/accounts/:id: plain node:http + pg, no framework, no auth, sending
 * the very statement v2crm sends for that request (copied from the server's SQL log:
 * `DEBUG=knex:query`, src/domain/accounts/repo.ts `findById`), as a named prepared statement (parsed and
 * planned once per connection), and writing the same JSON (keys in v2crm's wire order).
 * v2crm's requests/s divided by this one's, in interleaved passes, is the headline ratio.
 * Usage: DATABASE_URL=... PORT=... node bench/baseline.mjs
 */
import http from 'node:http';
import pg from 'pg';

export const ACCOUNT_BY_ID_SQL = `select "accounts".*, (SELECT json_agg(json_build_object('id', i.id, 'name', i.name) ORDER BY i.name)
               FROM account_industries ai JOIN industries i ON i.org_id = ai.org_id AND i.id = ai.industry_id
              WHERE ai.org_id = accounts.org_id AND ai.account_id = accounts.id) AS rel_industries, (SELECT json_agg(t.name ORDER BY t.name) FROM account_tags at JOIN tags t ON t.org_id = at.org_id AND t.id = at.tag_id
              WHERE at.org_id = accounts.org_id AND at.account_id = accounts.id) AS rel_tags, (SELECT json_agg(aa.user_id ORDER BY aa.user_id) FROM account_assignees aa WHERE aa.org_id = accounts.org_id AND aa.account_id = accounts.id) AS rel_assignees, (SELECT json_agg(ac.team_id ORDER BY ac.team_id) FROM account_teams ac WHERE ac.org_id = accounts.org_id AND ac.account_id = accounts.id) AS rel_teams, (SELECT json_agg(json_build_object('currency_code', b.currency_code, 'outstanding', b.outstanding, 'minor_units', b.minor_units) ORDER BY b.currency_code)
    FROM (SELECT si.currency_code, sum(si.total - si.amount_paid)::text AS outstanding, cu.minor_units
            FROM sales_invoices si JOIN currencies cu ON cu.org_id = si.org_id AND cu.code = si.currency_code
           WHERE si.org_id = accounts.org_id AND si.account_id = accounts.id AND NOT si.is_deleted AND si.status <> 'void'
           GROUP BY si.currency_code, cu.minor_units
          HAVING sum(si.total - si.amount_paid) <> 0) b) AS rel_balance from "accounts" where "accounts"."org_id" = $1 and "accounts"."id" = $2 limit $3`;

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) serve();

async function wireOrder() {
  // v2crm's own key order when its build is there (same bytes as the server), else the row's columns.
  try {
    const f = await import(new URL('../dist/src/domain/accounts/fields.js', import.meta.url).href);
    const m = f.default ?? f;
    return { order: m.WIRE_ORDER, serialized: m.SERIALIZED_FIELDS };
  } catch {
    return undefined;
  }
}

async function serve() {
  pg.types.setTypeParser(1082, (v) => v);
  pg.types.setTypeParser(20, (v) => Number(v));
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.POOL ?? 10), options: '-c TimeZone=UTC' });
  const companies = new Map();
  for (const c of (await pool.query(
    `SELECT co.*, cu.id AS cu_id, cu.name AS cu_name, cu.symbol AS cu_symbol, cu.html_code AS cu_html, cu.is_base AS cu_base
       FROM companies co JOIN currencies cu ON cu.org_id = co.org_id AND cu.code = co.currency_code WHERE co.org_id = 1`,
  )).rows) {
    companies.set(c.id, {
      registration_numbers: c.registration_numbers, code: c.code, name: c.name, settings: c.settings, bank_details: c.bank_details,
      currency: { code: c.currency_code, name: c.cu_name, symbol: c.cu_symbol, html_code: c.cu_html, id: c.cu_id, is_base: c.cu_base },
      id: c.id, currency_code: c.currency_code, account_id: c.account_id,
    });
  }
  const wire = await wireOrder();
  const iso = (d, n) => (d ? d.toISOString().slice(0, n) : null);
  const special = {
    created: (r) => iso(r.created, 19),
    updated: (r) => iso(r.updated, 23),
    industries: (r) => r.rel_industries ?? [],
    tags: (r) => r.rel_tags,
    assigned_to: (r) => r.rel_assignees ?? [],
    teams: (r) => r.rel_teams ?? [],
    company: (r) => companies.get(r.company_id) ?? null,
    default_price_level: () => null,
    custom_fields: (r) => r.custom_fields ?? {},
    balance: (r) => Object.fromEntries((r.rel_balance ?? []).map((b) => [b.currency_code, Number(b.outstanding)])),
    converted_balance: () => null,
  };
  const HIDDEN = new Set(['org_id', 'company_id', 'version', 'created_by', 'deleted_at', 'rel_industries', 'rel_tags', 'rel_assignees', 'rel_teams', 'rel_balance']);
  const keys = wire
    ? wire.order.filter((k) => special[k] || wire.serialized.has(k))
    : undefined;
  const toWire = (r) => {
    const out = {};
    if (keys) for (const k of keys) out[k] = special[k] ? special[k](r) : (r[k] ?? null);
    else {
      for (const k of Object.keys(r)) if (!HIDDEN.has(k)) out[k] = special[k] ? special[k](r) : r[k];
      for (const k of ['industries', 'tags', 'assigned_to', 'teams', 'company', 'default_price_level', 'balance', 'converted_balance']) out[k] = special[k](r);
    }
    return out;
  };

  const server = http.createServer(async (req, res) => {
    const m = /^\/accounts\/(\d+)$/.exec(req.url ?? '');
    try {
      const row = m ? (await pool.query({ name: 'account_by_id', text: ACCOUNT_BY_ID_SQL, values: [1, Number(m[1]), 1] })).rows[0] : undefined;
      const json = JSON.stringify(row ? toWire(row) : { error: { code: 'not_found' } });
      res.writeHead(row ? 200 : 404, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(json) });
      res.end(json);
    } catch (e) {
      res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'internal_error', message: String(e) } }));
    }
  });
  server.listen(Number(process.env.PORT ?? 3999), '127.0.0.1', () => {
    console.log(JSON.stringify({ msg: 'baseline listening', port: server.address().port, wire_order: Boolean(keys) }));
  });
  process.on('SIGTERM', () => server.close(() => pool.end().then(() => process.exit(0))));
}
