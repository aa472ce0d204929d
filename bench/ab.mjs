#!/usr/bin/env node
/**
 * Two builds of v2crm on one bench database, interleaved A/B/A/B on one request: what a change
 * to the server buys, measured in the same run (the levers in bench/README.md were measured so).
 *   node bench/ab.mjs --db NAME --a OLD/dist/src/main.js --b dist/src/main.js [--path /api/v2/crm/accounts/:id]
 *                     [--pairs 5] [--duration 10] [--connections 16] [--port-base 3950]
 * `:id` in --path becomes a random account id per request. The database must be loaded (bench/run.mjs --keep).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { serverUrl } from './lib/pg-admin.mjs';
import { describeData } from './lib/load.mjs';
import { drive, interleave } from './lib/measure.mjs';
import { rng } from './lib/random.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const o = new Command()
  .requiredOption('--db <name>', 'a loaded bench database (bench/run.mjs --keep)')
  .requiredOption('--a <main.js>', 'build A (e.g. an older commit built elsewhere)')
  .requiredOption('--b <main.js>', 'build B')
  .option('--path <p>', 'request path; :id is a random account id', '/api/v2/crm/accounts/:id')
  .option('--pairs <n>', 'interleaved pairs', '5')
  .option('--duration <s>', 'seconds per pass', '10')
  .option('--connections <n>', 'connections', '16')
  .option('--port-base <n>', 'A on N+1, B on N+2', '3950')
  .option('--env <k=v...>', 'extra environment for both servers')
  .parse()
  .opts();
const log = (m) => console.error(`[ab ${new Date().toISOString().slice(11, 19)}] ${m}`);
const PASSWORD = 'bench-password-1';
const AUTH = { authorization: `Basic ${Buffer.from(`admin@example.com:${PASSWORD}`).toString('base64')}` };
const dbUrl = `${serverUrl}/${o.db}`;
const extra = Object.fromEntries((o.env ?? []).map((kv) => kv.split(/=(.*)/s).slice(0, 2)));

async function start(main, port, probe) {
  const env = { ...process.env, DATABASE_URL: dbUrl, ADMIN_EMAIL: 'admin@example.com', ADMIN_PASSWORD: PASSWORD, LOG_LEVEL: 'warn', HOST: '127.0.0.1', MAX_LIMIT: '100000', PORT: String(port), ...extra };
  const child = spawn(process.execPath, [path.resolve(main), 'serve'], { cwd: path.resolve(path.dirname(main), '../..'), env, stdio: ['ignore', 'ignore', 'inherit'] });
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(probe, { headers: AUTH })).status < 500) return child;
    } catch {
      /* not up yet */
    }
    if (child.exitCode !== null) throw new Error(`${main} exited with ${child.exitCode}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${main} did not start`);
}
const stop = (c) => new Promise((r) => (!c || c.exitCode !== null ? r() : (c.once('exit', r), c.kill('SIGTERM'))));

const data = await describeData(dbUrl, 1);
const r = rng(7);
const next = () => ({ method: 'GET', path: o.path.replace(':id', String(r.int(data.firstId, data.firstId + data.accounts - 1))) });
const pb = Number(o.portBase);
const urlA = `http://127.0.0.1:${pb + 1}`;
const urlB = `http://127.0.0.1:${pb + 2}`;
const a = await start(o.a, pb + 1, `${urlA}/api/v2/crm/accounts/${data.firstId}`);
const b = await start(o.b, pb + 2, `${urlB}/api/v2/crm/accounts/${data.firstId}`);
try {
  const pass = (url) => drive({ url, headers: AUTH, connections: Number(o.connections), duration: Number(o.duration), next });
  await pass(urlA);
  await pass(urlB);
  const cmp = await interleave({ pairs: Number(o.pairs), runA: () => pass(urlA), runB: () => pass(urlB), metric: (m) => m.rps, label: `${o.path} A vs B rps`, log });
  const result = { command: `node bench/ab.mjs ${process.argv.slice(2).join(' ')}`, path: o.path, rps_a: cmp.a_values, rps_b: cmp.b_values, ratio_b_to_a: cmp.ratio, ratios: cmp.ratios };
  console.log(JSON.stringify(result, null, 2));
} finally {
  await stop(a);
  await stop(b);
}
