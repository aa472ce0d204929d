#!/usr/bin/env node
/**
 * Import and export at scale, through the built CLI (dist/), on PostgreSQL and on PGlite.
 *   node bench/import.mjs [--rows 1000000] [--db postgres,pglite] [--seed 42] [--keep-file] [--main dist/src/main.js]
 * Generates a CSV of --rows accounts with external_id (seedable, same seed same file), then per
 * database: a fresh database (PostgreSQL: v2crm_bench_import on DATABASE_URL's server; PGlite: a
 * temp DATA_DIR), `migrate`, then times and samples the peak RSS of
 *   1. `import accounts FILE.csv`     (every row created)
 *   2. the same import again          (every row unchanged: nothing written)
 *   3. `export accounts --format json` and 4. `--format csv` to a file.
 * Prints a table and writes bench/results/import-<time>.json. See bench/README.md.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import pg from 'pg';
import { createBenchDatabase, dropBenchDatabase, serverUrl } from './lib/pg-admin.mjs';
import { rssSampler } from './lib/measure.mjs';
import { CITIES, REGIONS, companyName, rng } from './lib/random.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const o = new Command()
  .option('--rows <n>', 'accounts in the generated CSV', '1000000')
  .option('--db <list>', 'databases to run on: postgres, pglite or both', 'postgres,pglite')
  .option('--seed <n>', 'generator seed', '42')
  .option('--keep-file', 'keep the generated CSV and exports')
  .option('--main <file>', 'the CLI to run (another build, for an A/B)', path.join(ROOT, 'dist/src/main.js'))
  .option('--json', 'also import the JSON export into a second, empty database (a streamed JSON import at scale)')
  .parse()
  .opts();
const rows = Number(o.rows);
const MAIN = path.resolve(o.main);
const log = (m) => console.error(`[bench-import ${new Date().toISOString().slice(11, 19)}] ${m}`);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'v2crm-bench-import-'));

/** The CSV: external_id, name, company_id, flags, contact details, a date and two custom fields. */
async function generate(file) {
  const r = rng(Number(o.seed));
  const out = fs.createWriteStream(file);
  out.write('external_id,name,company_id,is_customer,is_supplier,email,tel,address_town,address_postcode,customer_since,notes,custom_fields.field_1,custom_fields.field_2\n');
  for (let i = 1; i <= rows; i++) {
    const name = companyName(r);
    const line = `ERP-${i},"${name} ${i}",1,${r.next() < 0.7},${r.next() < 0.2},acct${i}@example.com,+44 20 ${String(i).padStart(8, '0')},${r.pick(CITIES)},AB${r.int(1, 99)} ${r.int(1, 9)}CD,20${String(r.int(0, 25)).padStart(2, '0')}-0${r.int(1, 9)}-1${r.int(0, 9)},"Imported, with a comma",${r.int(1, 500)},${r.pick(REGIONS)}\n`;
    if (!out.write(line)) await new Promise((res) => out.once('drain', res));
  }
  out.end();
  await new Promise((res) => out.once('finish', res));
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux; 100 ticks a second). */
function cpuSeconds(pid) {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return undefined;
  }
}

/**
 * CPU used by the CLI and by the PostgreSQL backends serving the bench database, sampled every
 * 200 ms: on a shared machine the wall time depends on the neighbours, the CPU seconds much less.
 */
function cpuSampler(pid, database) {
  const last = new Map();
  let stopped = false;
  const sample = async () => {
    const own = cpuSeconds(pid);
    if (own !== undefined) last.set(`cli:${pid}`, own);
    if (database) {
      const c = new pg.Client({ connectionString: `${serverUrl}/postgres` });
      try {
        await c.connect();
        const { rows } = await c.query('SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database]);
        for (const r of rows) {
          const s = cpuSeconds(r.pid);
          if (s !== undefined) last.set(`pg:${r.pid}`, s);
        }
      } catch {
        /* not up yet */
      } finally {
        await c.end().catch(() => undefined);
      }
    }
  };
  const loop = (async () => {
    while (!stopped) {
      await sample();
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
      const sum = (prefix) => [...last].filter(([k]) => k.startsWith(prefix)).reduce((a, [, v]) => a + v, 0);
      return { cli: +sum('cli:').toFixed(1), db: +sum('pg:').toFixed(1) };
    },
  };
}

/** Runs the CLI, sampling its resident memory and CPU; returns seconds, peak RSS, CPU seconds and output. */
function cli(args, env) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [MAIN, ...args], { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const rss = rssSampler(child.pid);
    const cpu = cpuSampler(child.pid, env.DATABASE_URL ? 'v2crm_bench_import' : undefined);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout = (stdout + d).slice(-4000)));
    child.stderr.on('data', (d) => {
      stderr = (stderr + d).slice(-4000);
      process.stderr.write(d);
    });
    child.on('exit', async (code) => {
      rss.stop();
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const cpuUsed = await cpu.stop();
      if (code !== 0) reject(new Error(`${args.join(' ')} exited with ${code}: ${stderr}${stdout}`));
      else resolve({ seconds, peakMb: rss.peakMb(), cpu: cpuUsed, stdout });
    });
  });
}

async function runOn(kind, csv) {
  const dataDir = fs.mkdtempSync(path.join(work, `${kind}-`));
  const env = { DATA_DIR: dataDir, ADMIN_PASSWORD: 'bench-password-1' };
  if (kind === 'postgres') {
    await createBenchDatabase('v2crm_bench_import', { replace: true });
    env.DATABASE_URL = `${serverUrl}/v2crm_bench_import`;
  } else env.DATABASE_URL = '';
  try {
    await cli(['migrate'], env);
    await cli(['custom-field', 'add', '--type', 'integer', '--label', 'Seats'], env);
    await cli(['custom-field', 'add', '--type', 'string', '--label', 'Region'], env);
    const result = { database: kind, rows };
    log(`${kind}: import of ${rows} rows`);
    const first = await cli(['import', 'accounts', csv], env);
    result.import = { seconds: +first.seconds.toFixed(1), rows_per_s: Math.round(rows / first.seconds), peak_rss_mb: first.peakMb, cpu_s: first.cpu, summary: first.stdout.trim().split('\n').pop() };
    log(`${kind}: the same import again (nothing changes)`);
    const again = await cli(['import', 'accounts', csv], env);
    result.reimport = { seconds: +again.seconds.toFixed(1), rows_per_s: Math.round(rows / again.seconds), peak_rss_mb: again.peakMb, cpu_s: again.cpu, summary: again.stdout.trim().split('\n').pop() };
    for (const format of ['json', 'csv']) {
      log(`${kind}: export as ${format}`);
      const out = path.join(work, `${kind}-export.${format}`);
      const e = await cli(['export', 'accounts', '--format', format, '--out', out], env);
      result[`export_${format}`] = { seconds: +e.seconds.toFixed(1), rows_per_s: Math.round(rows / e.seconds), peak_rss_mb: e.peakMb, cpu_s: e.cpu, mb: Math.round(fs.statSync(out).size / 1e6) };
      if (format === 'json' && o.json) result.json_file = out;
      else fs.rmSync(out);
    }
    return result;
  } finally {
    if (kind === 'postgres') await dropBenchDatabase('v2crm_bench_import');
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const csv = path.join(work, `accounts-${rows}.csv`);
log(`generating ${rows} rows into ${csv}`);
await generate(csv);
log(`${Math.round(fs.statSync(csv).size / 1e6)} MB`);
/** The JSON export of the first database, imported into an empty one of the same kind. */
async function jsonImport(kind, file) {
  const dataDir = fs.mkdtempSync(path.join(work, `${kind}-json-`));
  const env = { DATA_DIR: dataDir, ADMIN_PASSWORD: 'bench-password-1', DATABASE_URL: '' };
  if (kind === 'postgres') {
    await createBenchDatabase('v2crm_bench_import', { replace: true });
    env.DATABASE_URL = `${serverUrl}/v2crm_bench_import`;
  }
  try {
    await cli(['migrate'], env);
    await cli(['custom-field', 'add', '--type', 'integer', '--label', 'Seats'], env);
    await cli(['custom-field', 'add', '--type', 'string', '--label', 'Region'], env);
    log(`${kind}: import of the JSON export into an empty database`);
    const r = await cli(['import', 'accounts', file], env);
    return { seconds: +r.seconds.toFixed(1), rows_per_s: Math.round(rows / r.seconds), peak_rss_mb: r.peakMb, cpu_s: r.cpu, summary: r.stdout.trim().split('\n').pop() };
  } finally {
    if (kind === 'postgres') await dropBenchDatabase('v2crm_bench_import');
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const results = [];
try {
  for (const kind of o.db.split(',')) {
    const r = await runOn(kind.trim(), csv);
    if (r.json_file) {
      r.import_json = await jsonImport(kind.trim(), r.json_file);
      fs.rmSync(r.json_file);
      delete r.json_file;
    }
    results.push(r);
  }
} finally {
  if (!o.keepFile) fs.rmSync(work, { recursive: true, force: true });
}
console.log('\ndatabase  step       seconds  rows/s   peak RSS MB  CPU s (CLI + server)  (targets: import ≥ 20,000 rows/s PostgreSQL, ≥ 5,000 PGlite; export ≥ 50,000; RSS ≤ 300)');
for (const r of results) {
  for (const step of ['import', 'reimport', 'export_json', 'export_csv', 'import_json']) {
    const s = r[step];
    if (!s) continue;
    console.log(`${r.database.padEnd(9)} ${step.padEnd(10)} ${String(s.seconds).padStart(7)}  ${String(s.rows_per_s).padStart(7)}  ${String(s.peak_rss_mb).padStart(11)}  ${String(s.cpu_s.cli).padStart(6)} + ${s.cpu_s.db}`);
  }
}
const dir = path.join(ROOT, 'bench/results');
fs.mkdirSync(dir, { recursive: true });
const file = path.join(dir, `import-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
fs.writeFileSync(file, JSON.stringify({ rows, cpus: os.cpus().length, loadavg_at_end: os.loadavg(), node: process.version, results }, null, 2));
log(`results in ${path.relative(ROOT, file)}`);
