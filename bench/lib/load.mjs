import pg from 'pg';
import { CITIES, REGIONS, companyName, rng } from './random.mjs';

const BATCH = 10_000;

/** Loads accounts and invoices with `INSERT ... SELECT FROM unnest(arrays)`: one round trip per 10,000 rows. */
export async function loadData(url, { accounts, invoices, heavyAccounts, heavyInvoices, seed }, log) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const r = rng(seed);
    await client.query(`INSERT INTO companies (org_id, code, name, currency_code, settings)
      VALUES (1, 'GLX', 'Globex Europe', 'EUR', '{}'), (1, 'INI', 'Initech Inc', 'USD', '{}') ON CONFLICT DO NOTHING`);
    await client.query(`INSERT INTO custom_field_definitions (org_id, model, key, type, label)
      VALUES (1, 'crm/accounts', 'field_1', 'integer', 'Seats'), (1, 'crm/accounts', 'field_2', 'string', 'Region') ON CONFLICT DO NOTHING`);
    await client.query(`INSERT INTO exchange_rates (org_id, currency_code, rate, valid_from)
      VALUES (1, 'EUR', 1.15, '2020-01-01'), (1, 'USD', 1.25, '2020-01-01') ON CONFLICT DO NOTHING`);
    const companyIds = (await client.query(`SELECT id FROM companies WHERE org_id = 1 ORDER BY id`)).rows.map((x) => x.id);

    const t0 = Date.now();
    let firstId;
    for (let done = 0; done < accounts; done += BATCH) {
      const n = Math.min(BATCH, accounts - done);
      const cols = { company: [], name: [], town: [], email: [], customer: [], custom: [], ext: [] };
      for (let i = 0; i < n; i++) {
        const name = companyName(r);
        cols.company.push(companyIds[r.int(0, companyIds.length - 1)]);
        cols.name.push(name);
        cols.town.push(r.pick(CITIES));
        cols.email.push(`accounts@${name.toLowerCase().replace(/[^a-z]+/g, '')}${done + i}.example`);
        cols.customer.push(r.next() < 0.7);
        cols.custom.push(JSON.stringify({ field_1: r.int(1, 500), field_2: r.pick(REGIONS) }));
        cols.ext.push(`ERP-${done + i + 1}`);
      }
      const res = await client.query(
        `INSERT INTO accounts (org_id, company_id, name, address_town, email, is_customer, custom_fields, external_id)
         SELECT 1, c, n, t, e, cu, cf::jsonb, x FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::bool[], $6::text[], $7::text[]) AS u(c, n, t, e, cu, cf, x)
         RETURNING id`,
        [cols.company, cols.name, cols.town, cols.email, cols.customer, cols.custom, cols.ext],
      );
      firstId ??= res.rows[0].id;
      if ((done / BATCH) % 10 === 0 || done + n === accounts) log(`accounts: ${done + n}/${accounts} (${Math.round(((done + n) / ((Date.now() - t0) / 1000)))} rows/s)`);
    }
    const lastId = firstId + accounts - 1;
    const heavy = Array.from({ length: heavyAccounts }, (_, i) => firstId + i);

    const currencies = ['GBP', 'EUR', 'USD'];
    const total = invoices + heavyAccounts * heavyInvoices;
    const t1 = Date.now();
    for (let done = 0; done < total; done += BATCH) {
      const n = Math.min(BATCH, total - done);
      const cols = { account: [], cur: [], total: [], paid: [], date: [] };
      for (let i = 0; i < n; i++) {
        const k = done + i;
        // The heavy accounts' invoices come first, then the rest spread over every account.
        cols.account.push(k < heavyAccounts * heavyInvoices ? heavy[Math.floor(k / heavyInvoices)] : r.int(firstId, lastId));
        cols.cur.push(currencies[k % 3]);
        const amount = (r.int(100, 500_000) / 100).toFixed(2);
        cols.total.push(amount);
        const p = r.next();
        cols.paid.push(p < 0.5 ? amount : p < 0.7 ? (Number(amount) / 2).toFixed(2) : '0');
        cols.date.push(`2026-${String(r.int(1, 10)).padStart(2, '0')}-${String(r.int(1, 28)).padStart(2, '0')}`);
      }
      await client.query(
        `INSERT INTO sales_invoices (org_id, account_id, company_id, currency_code, date, total, amount_paid, status)
         SELECT 1, a, 1, c, d::date, t::numeric, p::numeric, CASE WHEN p::numeric >= t::numeric THEN 'paid' ELSE 'open' END
           FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[]) AS u(a, c, t, p, d)`,
        [cols.account, cols.cur, cols.total, cols.paid, cols.date],
      );
      if ((done / BATCH) % 20 === 0 || done + n === total) log(`invoices: ${done + n}/${total} (${Math.round((done + n) / ((Date.now() - t1) / 1000))} rows/s)`);
    }
    log('VACUUM ANALYZE');
    await client.query('VACUUM ANALYZE');
    return { firstId, lastId, heavy };
  } finally {
    await client.end();
  }
}

/** Ids and sample values for the scenarios, read back from a loaded database. */
export async function describeData(url, heavyAccounts) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT min(id) AS lo, max(id) AS hi, count(*)::int AS n FROM accounts');
    const heavy = (await client.query(
      `SELECT account_id FROM sales_invoices GROUP BY account_id ORDER BY count(*) DESC, account_id LIMIT $1`, [heavyAccounts],
    )).rows.map((x) => x.account_id);
    const version = (await client.query('SELECT version()')).rows[0].version;
    return { firstId: rows[0].lo, lastId: rows[0].hi, accounts: rows[0].n, heavy, postgres: version };
  } finally {
    await client.end();
  }
}
