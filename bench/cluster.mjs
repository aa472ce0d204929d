#!/usr/bin/env node
/**
 * Requests/s of `serve` at WEB_CONCURRENCY=1 and 2 (node:cluster) on one PostgreSQL database.
 *   node bench/cluster.mjs [--duration 10] [--connections 16] [--accounts 2000] [--workers 1,2]
 * DATABASE_URL names the server (default postgres://postgres@127.0.0.1:5432); a throwaway database
 * v2crm_bench_cluster is created and dropped. Two mixes: reads of one account by id, and a mix of
 * 80 % reads, 10 % list pages of 50, 10 % updates. The load generator runs in this process, on the
 * same machine: on 2 cores it competes with the servers and PostgreSQL (docs/scaling.md).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { createBenchDatabase, dropBenchDatabase, serverUrl } from './lib/pg-admin.mjs';
import { drive } from './lib/measure.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const o = new Command()
  .option('--duration <s>', 'seconds per pass', '10')
  .option('--connections <n>', 'concurrent connections', '16')
  .option('--accounts <n>', 'accounts to create first', '2000')
  .option('--workers <list>', 'WEB_CONCURRENCY values to measure', '1,2')
  .parse()
  .opts();
const DB = 'v2crm_bench_cluster';
const PASSWORD = 'bench-password-1';
const AUTH = { authorization: `Basic ${Buffer.from(`admin@example.com:${PASSWORD}`).toString('base64')}`, 'content-type': 'application/json' };
const log = (m) => console.error(`[bench-cluster ${new Date().toISOString().slice(11, 19)}] ${m}`);

/** A loopback port nobody listens on right now. */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Starts `serve` (LOG_LEVEL=warn: no per-request log lines) and waits until /ready answers 200. */
async function serve(workers, dataDir) {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(ROOT, 'dist/src/main.js'), 'serve'], {
    env: { ...process.env, DATABASE_URL: `${serverUrl}/${DB}`, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', ADMIN_PASSWORD: PASSWORD, WEB_CONCURRENCY: String(workers) },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`serve exited with ${child.exitCode}`);
    const ok = await fetch(`http://127.0.0.1:${port}/ready`).then((r) => r.status === 200, () => false);
    if (ok) return { port, child };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error('serve did not become ready in 60 s');
}

const stop = (child) => new Promise((r) => (child.exitCode !== null ? r() : (child.once('exit', r), child.kill('SIGTERM'))));

async function main() {
  await createBenchDatabase(DB, { replace: true });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'v2crm-bench-cluster-'));
  const results = [];
  try {
    const workerCounts = o.workers.split(',').map(Number);
    for (const workers of workerCounts) {
      const { port, child } = await serve(workers, dataDir);
      const base = `http://127.0.0.1:${port}`;
      try {
        let count = Number((await (await fetch(`${base}/api/v2/crm/accounts?_page=1&_limit=1`, { headers: AUTH })).headers.get('x-pagination-total')) ?? 0);
        if (count < Number(o.accounts)) {
          const ops = Array.from({ length: Number(o.accounts) - count }, (_, i) => ({ action: 'create', data: { company_id: 1, name: `Bench ${i}`, address_town: 'Leeds' } }));
          for (let i = 0; i < ops.length; i += 1000) {
            const r = await fetch(`${base}/api/v2/crm/accounts/_bulk`, { method: 'POST', headers: AUTH, body: JSON.stringify({ operations: ops.slice(i, i + 1000) }) });
            if (r.status !== 200) throw new Error(`bulk load answered ${r.status}`);
          }
          count = Number(o.accounts);
        }
        const id = () => 1 + Math.floor(Math.random() * count);
        // Warm every worker's credential cache and pool.
        await drive({ url: base, headers: AUTH, connections: Number(o.connections), duration: 2, next: () => ({ method: 'GET', path: `/api/v2/crm/accounts/${id()}` }) });
        const reads = await drive({ url: base, headers: AUTH, connections: Number(o.connections), duration: Number(o.duration), next: () => ({ method: 'GET', path: `/api/v2/crm/accounts/${id()}` }) });
        const mixed = await drive({
          url: base,
          headers: AUTH,
          connections: Number(o.connections),
          duration: Number(o.duration),
          next: () => {
            const r = Math.random();
            // Fresh headers and no body for GETs: autocannon would otherwise send a PUT's
            // Content-Length with the next GET, and the server would wait for a body that never comes.
            if (r < 0.8) return { method: 'GET', path: `/api/v2/crm/accounts/${id()}`, body: undefined, headers: { ...AUTH } };
            if (r < 0.9) return { method: 'GET', path: `/api/v2/crm/accounts?id__gt=${id()}&_order=id&_limit=50`, body: undefined, headers: { ...AUTH } };
            return { method: 'PUT', path: `/api/v2/crm/accounts/${id()}`, body: JSON.stringify({ notes: `n${Math.random()}` }), headers: { ...AUTH } };
          },
        });
        results.push({ workers, get_by_id: reads, mixed });
        log(`WEB_CONCURRENCY=${workers}: GET /:id ${reads.rps} req/s (p99 ${reads.p99} ms, ${reads.errors} errors); mix ${mixed.rps} req/s (p99 ${mixed.p99} ms, ${mixed.errors} errors)`);
      } finally {
        await stop(child);
      }
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
    await dropBenchDatabase(DB);
  }
  console.log(JSON.stringify({ machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version }, duration_s: Number(o.duration), connections: Number(o.connections), results }, null, 2));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
