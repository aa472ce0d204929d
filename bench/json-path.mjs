#!/usr/bin/env node
/**
 * Where a 1000-row page's JSON is best built: rows parsed by node-postgres and serialized in Node
 * (what v2crm does) against the JSON text built by PostgreSQL (`row_to_json`) and passed through.
 * Measures rows/s of each path, interleaved, on a loaded bench database; no HTTP.
 *   node bench/json-path.mjs --db NAME [--pages 30] [--rounds 3]
 */
import { Command } from 'commander';
import pg from 'pg';
import { serverUrl } from './lib/pg-admin.mjs';
import { spread } from './lib/measure.mjs';

const o = new Command().requiredOption('--db <name>').option('--pages <n>', 'pages per pass', '30').option('--rounds <n>', 'interleaved rounds', '3').parse().opts();
const client = new pg.Client({ connectionString: `${serverUrl}/${o.db}` });
await client.connect();
const { rows: [{ lo, hi }] } = await client.query('SELECT min(id) AS lo, max(id) AS hi FROM accounts');
const PAGE = 1000;
const start = () => lo + Math.floor(Math.random() * (hi - lo - PAGE * 2));
const WHERE = `org_id = 1 AND id > $1 AND NOT is_deleted ORDER BY id LIMIT ${PAGE}`;
const iso = (d, n) => (d ? d.toISOString().slice(0, n) : null);

const paths = {
  // v2crm's shape of work: every column parsed into JS values, then one JSON text per row.
  node: async (from) => {
    const { rows } = await client.query(`SELECT * FROM accounts WHERE ${WHERE}`, [from]);
    let out = '[';
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      out += (i ? ',' : '') + JSON.stringify({ ...r, created: iso(r.created, 19), updated: iso(r.updated, 23) });
    }
    return [rows.length, `${out}]`];
  },
  // PostgreSQL builds the items' text; Node only concatenates (no per-column parsing).
  sql_rows: async (from) => {
    const { rows } = await client.query({ text: `SELECT row_to_json(a)::text AS j FROM (SELECT * FROM accounts WHERE ${WHERE}) a`, values: [from], rowMode: 'array' });
    let out = '[';
    for (let i = 0; i < rows.length; i++) out += (i ? ',' : '') + rows[i][0];
    return [rows.length, `${out}]`];
  },
  // The whole page as one text value.
  sql_page: async (from) => {
    const { rows } = await client.query({ text: `SELECT coalesce(json_agg(a ORDER BY a.id), '[]')::text AS j, count(*)::int AS n FROM (SELECT * FROM accounts WHERE ${WHERE}) a`, values: [from], rowMode: 'array' });
    return [rows[0][1], rows[0][0]];
  },
};
const results = Object.fromEntries(Object.keys(paths).map((k) => [k, []]));
for (let round = 0; round < Number(o.rounds); round++) {
  for (const [name, fn] of Object.entries(paths)) {
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    let n = 0;
    for (let p = 0; p < Number(o.pages); p++) n += (await fn(start()))[0];
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = process.cpuUsage(cpu0);
    results[name].push({ rows_per_s: Math.round(n / s), node_cpu_us_per_row: Math.round(((cpu.user + cpu.system) / n) * 10) / 10 });
    console.error(`round ${round + 1} ${name}: ${Math.round(n / s)} rows/s, Node CPU ${Math.round(((cpu.user + cpu.system) / n) * 10) / 10} µs/row`);
  }
}
await client.end();
console.log(JSON.stringify(Object.fromEntries(Object.entries(results).map(([k, v]) => [k, { rows_per_s: spread(v.map((x) => x.rows_per_s)), node_cpu_us_per_row: spread(v.map((x) => x.node_cpu_us_per_row)) }])), null, 2));
