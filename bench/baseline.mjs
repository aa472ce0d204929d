/**
 * The baseline: plain node:http + pg, no framework, serving GET /accounts/:id with the same data
 * v2crm returns (the account, its company and currency, tags, industries, assignees, teams and the
 * balance aggregate). v2crm's requests/s divided by this one's is the headline ratio.
 * Usage: DATABASE_URL=... PORT=... node bench/baseline.mjs
 */
import http from 'node:http';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.POOL ?? 10) });
const iso = (d, ms = false) => (d ? d.toISOString().slice(0, ms ? 23 : 19) : null);

async function account(id) {
  const [a, rel, bal] = await Promise.all([
    pool.query(
      `SELECT a.*, co.code AS co_code, co.name AS co_name, co.settings AS co_settings, co.bank_details AS co_bank,
              co.registration_numbers AS co_reg, co.currency_code AS co_cur, co.account_id AS co_acc,
              cu.id AS cu_id, cu.name AS cu_name, cu.symbol AS cu_symbol, cu.html_code AS cu_html, cu.is_base AS cu_base
         FROM accounts a JOIN companies co ON co.id = a.company_id
         JOIN currencies cu ON cu.org_id = co.org_id AND cu.code = co.currency_code
        WHERE a.org_id = 1 AND a.id = $1`,
      [id],
    ),
    pool.query(
      `SELECT (SELECT coalesce(json_agg(json_build_object('id', i.id, 'name', i.name) ORDER BY i.name), '[]') FROM account_industries ai JOIN industries i ON i.id = ai.industry_id WHERE ai.account_id = $1) AS industries,
              (SELECT json_agg(t.name ORDER BY t.name) FROM account_tags at JOIN tags t ON t.id = at.tag_id WHERE at.account_id = $1) AS tags,
              (SELECT coalesce(json_agg(user_id ORDER BY user_id), '[]') FROM account_assignees WHERE account_id = $1) AS assigned_to,
              (SELECT coalesce(json_agg(team_id ORDER BY team_id), '[]') FROM account_teams WHERE account_id = $1) AS teams`,
      [id],
    ),
    pool.query(
      `SELECT currency_code, sum(total - amount_paid)::text AS owed FROM sales_invoices
        WHERE org_id = 1 AND account_id = $1 AND NOT is_deleted AND status <> 'void'
        GROUP BY currency_code HAVING sum(total - amount_paid) <> 0 ORDER BY currency_code`,
      [id],
    ),
  ]);
  const r = a.rows[0];
  if (!r) return undefined;
  const balance = {};
  for (const b of bal.rows) balance[b.currency_code] = Number(b.owed);
  const { co_code, co_name, co_settings, co_bank, co_reg, co_cur, co_acc, cu_id, cu_name, cu_symbol, cu_html, cu_base, org_id, company_id, version, created_by, deleted_at, ...cols } = r;
  return {
    ...cols,
    created: iso(r.created),
    updated: iso(r.updated, true),
    customer_since: r.customer_since,
    ...rel.rows[0],
    company: {
      registration_numbers: co_reg, code: co_code, name: co_name, settings: co_settings, bank_details: co_bank,
      currency: { code: co_cur, name: cu_name, symbol: cu_symbol, html_code: cu_html, id: cu_id, is_base: cu_base },
      id: company_id, currency_code: co_cur, account_id: co_acc,
    },
    default_price_level: null,
    balance,
    converted_balance: null,
  };
}

const server = http.createServer(async (req, res) => {
  const m = /^\/accounts\/(\d+)$/.exec(req.url ?? '');
  try {
    const body = m ? await account(Number(m[1])) : undefined;
    const json = JSON.stringify(body ?? { error: { code: 'not_found' } });
    res.writeHead(body ? 200 : 404, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(json) });
    res.end(json);
  } catch (e) {
    res.writeHead(500, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ error: { code: 'internal_error', message: String(e) } }));
  }
});
server.listen(Number(process.env.PORT ?? 3999), '127.0.0.1', () => {
  console.log(JSON.stringify({ msg: 'baseline listening', port: server.address().port }));
});
process.on('SIGTERM', () => server.close(() => pool.end().then(() => process.exit(0))));
