#!/usr/bin/env node
/**
 * v2crm benchmarks against a real PostgreSQL, with a baseline server measured in the same run.
 *   node bench/run.mjs [--scale 1] [--duration 10] [--seed 42] [--connections 16] [--skip-load] [--keep]
 * DATABASE_URL names the server (default postgres://postgres@127.0.0.1:5432); the database
 * v2crm_bench on it is created (dropped first) unless --skip-load reuses it. See bench/README.md.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { admin, serverUrl } from './lib/pg-admin.mjs';
import { describeData, loadData } from './lib/load.mjs';
import { drive, rssSampler, streamRows } from './lib/measure.mjs';
import { rng } from './lib/random.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const program = new Command()
  .option('--scale <n>', 'fraction of the default data set (1 = 1,000,000 accounts, 2,000,000 invoices)', '1')
  .option('--duration <s>', 'seconds per load scenario', '10')
  .option('--connections <n>', 'concurrent connections for read scenarios', '16')
  .option('--rate <n>', 'requests/s of the steady-load pass that the latency targets are judged on', '100')
  .option('--seed <n>', 'generator seed', '42')
  .option('--skip-load', 'reuse the data already in the bench database')
  .option('--keep', 'keep the bench database afterwards')
  .parse();
const o = program.opts();
const scale = Number(o.scale);
const duration = Number(o.duration);
const connections = Number(o.connections);
const rate = Number(o.rate);
const dbUrl = `${serverUrl}/v2crm_bench`;
const log = (m) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${m}`);
const sizes = {
  accounts: Math.max(100, Math.round(1_000_000 * scale)),
  invoices: Math.max(100, Math.round(2_000_000 * scale)),
  heavyAccounts: 5,
  heavyInvoices: 10_000,
  seed: Number(o.seed),
};
const PASSWORD = 'bench-password-1';
const AUTH = { authorization: `Basic ${Buffer.from(`admin@example.com:${PASSWORD}`).toString('base64')}` };

function run(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${args.join(' ')} exited with ${code}`))));
  });
}

/** Starts a server process and waits until GET `probe` answers. */
async function start(name, args, env, probe) {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  for (let i = 0; i < 300; i++) {
    try {
      const res = await fetch(probe, { headers: AUTH });
      if (res.status < 500) return child;
    } catch {
      /* not up yet */
    }
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGKILL');
  throw new Error(`${name} did not start`);
}

const stop = (child) => new Promise((r) => (child.exitCode !== null ? r() : (child.once('exit', r), child.kill('SIGTERM'))));

async function main() {
  if (!fs.existsSync(path.join(ROOT, 'dist/src/main.js'))) await run([path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {});
  const env = { DATABASE_URL: dbUrl, ADMIN_EMAIL: 'admin@example.com', ADMIN_PASSWORD: PASSWORD, LOG_LEVEL: 'warn', HOST: '127.0.0.1', MAX_LIMIT: '100000' };
  if (!o.skipLoad) {
    log(`creating v2crm_bench on ${serverUrl} and loading ${sizes.accounts} accounts, ${sizes.invoices} invoices (+${sizes.heavyAccounts}×${sizes.heavyInvoices})`);
    await admin('DROP DATABASE IF EXISTS v2crm_bench WITH (FORCE)');
    await admin('CREATE DATABASE v2crm_bench');
    await run(['dist/src/main.js', 'migrate'], env);
    const t0 = Date.now();
    await loadData(dbUrl, sizes, log);
    log(`loaded in ${Math.round((Date.now() - t0) / 1000)} s`);
  }
  const data = await describeData(dbUrl, sizes.heavyAccounts);
  const r = rng(sizes.seed + 1);
  const randomId = () => r.int(data.firstId, data.lastId);

  const V2 = 'http://127.0.0.1:3901';
  const BASE = 'http://127.0.0.1:3902';
  const v2 = await start('v2crm', ['dist/src/main.js', 'serve'], { ...env, PORT: '3901' }, `${V2}/api/v2/crm/accounts/${data.firstId}`);
  const baseline = await start('baseline', ['bench/baseline.mjs'], { DATABASE_URL: dbUrl, PORT: '3902' }, `${BASE}/accounts/${data.firstId}`);
  const rss = rssSampler(v2.pid);
  const results = [];
  const record = (name, target, met, m) => {
    const row = { scenario: name, ...m, peak_rss_mb: rss.peakMb(), target, met };
    results.push(row);
    log(`${name}: ${JSON.stringify(m)} rss ${row.peak_rss_mb} MB → ${met === null ? 'n/a' : met ? 'met' : 'MISSED'}`);
  };
  const get = (p) => ({ method: 'GET', path: p });
  const load = (url, next, c = connections) => drive({ url, headers: AUTH, connections: c, duration, next });
  /**
   * Throughput at saturation (rps), then latency at a steady --rate with 4 connections: at
   * saturation latency only measures the queue (connections ÷ rps), not the server.
   */
  const both = async (url, next) => {
    const sat = await load(url, next);
    const steady = await drive({ url, headers: AUTH, connections: 4, duration, next, rate });
    return { rps: sat.rps, errors: sat.errors + steady.errors, p50: steady.p50, p95: steady.p95, p99: steady.p99, saturated_p95: sat.p95 };
  };

  try {
    // Warm both servers (connection pools, plans, credential cache).
    await load(V2, () => get(`/api/v2/crm/accounts/${randomId()}`));
    await load(BASE, () => get(`/accounts/${randomId()}`));

    rss.reset();
    const b1 = await both(BASE, () => get(`/accounts/${randomId()}`));
    record('1b baseline GET /accounts/:id', null, null, b1);
    rss.reset();
    const s1 = await both(V2, () => get(`/api/v2/crm/accounts/${randomId()}`));
    const ratio = Math.round((s1.rps / b1.rps) * 100) / 100;
    record('1 GET /crm/accounts/:id', '≥ 0.8 × baseline rps, p99 ≤ 10 ms', ratio >= 0.8 && s1.p99 <= 10, { ...s1, ratio });

    const prefixes = ['Ac', 'Gl', 'In', 'Um', 'St', 'Wa', 'Wo', 'Ty', 'Cy', 'So', 'Ho', 'Va', 'Pi', 'Gr', 'Os', 'Na'];
    rss.reset();
    const s2a = await both(V2, () => get(`/api/v2/crm/accounts?name__sw=${r.pick(prefixes)}&_limit=100`));
    record('2a list ?name__sw=X&_limit=100', 'p95 ≤ 15 ms', s2a.p95 <= 15, s2a);
    rss.reset();
    const s2b = await both(V2, () => get(`/api/v2/crm/accounts?custom_fields.field_1__eq=${r.int(1, 500)}&_limit=100`));
    record('2b list ?custom_fields.field_1__eq=V&_limit=100', 'p95 ≤ 15 ms', s2b.p95 <= 15, s2b);

    rss.reset();
    const pageCap = Math.max(duration * 3, 30);
    const t3 = Date.now();
    let last = 0;
    let rows3 = 0;
    let complete3 = false;
    while ((Date.now() - t3) / 1000 < pageCap) {
      const res = await fetch(`${V2}/api/v2/crm/accounts?id__gt=${last}&_order=id&_limit=1000`, { headers: AUTH });
      const text = await res.text();
      if (res.status !== 200) throw new Error(`keyset page: HTTP ${res.status} ${text.slice(0, 200)}`);
      // Counted and read without parsing the page, so the load generator spends little of the shared CPU.
      const ids = [...text.matchAll(/"id":(\d+),"shipping_address_postcode"/g)];
      if (ids.length === 0) {
        complete3 = true;
        break;
      }
      rows3 += ids.length;
      last = Number(ids[ids.length - 1][1]);
    }
    const rate3 = Math.round(rows3 / ((Date.now() - t3) / 1000));
    record('3 keyset paging, _limit=1000', '≥ 50,000 rows/s', rate3 >= 50_000, { rows: rows3, rows_per_s: rate3, whole_table: complete3 });

    rss.reset();
    const s4 = await streamRows(`${V2}/api/v2/crm/accounts`, AUTH, pageCap * 2);
    const rate4 = Math.round(s4.rows / s4.seconds);
    record('4 unlimited list, streamed', '≥ 50,000 rows/s, RSS ≤ 250 MB', rate4 >= 50_000 && rss.peakMb() <= 250, { rows: s4.rows, rows_per_s: rate4, whole_table: s4.complete });

    rss.reset();
    const s5 = await both(V2, () => get(`/api/v2/crm/accounts/${r.pick(data.heavy)}?display_currency=USD`));
    record('5 GET ?display_currency=USD, 10,000 invoices', 'p95 ≤ 10 ms', s5.p95 <= 10, s5);

    rss.reset();
    let n = 0;
    const s6a = await drive({
      url: V2, headers: { ...AUTH, 'content-type': 'application/json' }, connections: 8, duration,
      next: () => ({ method: 'POST', path: '/api/v2/crm/accounts', body: JSON.stringify({ company_id: 1, name: `Bench ${++n}`, address_town: 'Leeds', is_customer: true }) }),
    });
    record('6a POST create, 8 clients', '≥ 2,000 writes/s', s6a.rps >= 2000, s6a);
    rss.reset();
    const s6b = await drive({
      url: V2, headers: { ...AUTH, 'content-type': 'application/json' }, connections: 8, duration,
      next: () => ({ method: 'PUT', path: `/api/v2/crm/accounts/${randomId()}`, body: JSON.stringify({ notes: `bench ${++n}`, is_supplier: n % 2 === 0 }) }),
    });
    record('6b PUT update, 8 clients', '≥ 2,000 writes/s', s6b.rps >= 2000, s6b);
  } finally {
    rss.stop();
    await stop(v2);
    await stop(baseline);
    if (!o.keep && !o.skipLoad) await admin('DROP DATABASE IF EXISTS v2crm_bench WITH (FORCE)');
  }

  const machine = {
    os: `${os.type()} ${os.release()}`,
    cpus: `${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}`,
    memory_gb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    postgres: data.postgres,
  };
  const report = { date: new Date().toISOString(), command: `node bench/run.mjs ${process.argv.slice(2).join(' ')}`.trim(), scale, duration, connections, steady_rate: rate, data: { accounts: data.accounts, heavy_accounts: data.heavy.length }, machine, results };
  fs.mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
  const file = path.join(ROOT, 'bench/results', `${report.date.replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  printTable(report);
  console.log(`\nJSON: ${path.relative(ROOT, file)}`);
}

function printTable(report) {
  const cols = ['scenario', 'rps', 'rows_per_s', 'p50', 'p95', 'p99', 'saturated_p95', 'peak_rss_mb', 'ratio', 'errors', 'target', 'met'];
  const cell = (row, c) => (row[c] === undefined || row[c] === null ? '' : c === 'met' ? (row[c] ? 'yes' : 'NO') : String(row[c]));
  const widths = cols.map((c) => Math.max(c.length, ...report.results.map((r) => cell(r, c).length)));
  const line = (vals) => vals.map((v, i) => v.padEnd(widths[i])).join(' | ');
  console.log(`\n${report.machine.cpus}, ${report.machine.memory_gb} GB, ${report.machine.node}, ${report.machine.postgres.split(' on ')[0]}; ${report.data.accounts} accounts; ${report.duration} s per pass; rps at ${report.connections} connections (saturation), p50/p95/p99 at a steady ${report.steady_rate} req/s; latencies in ms`);
  console.log(line(cols));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const r of report.results) console.log(line(cols.map((c) => cell(r, c))));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
