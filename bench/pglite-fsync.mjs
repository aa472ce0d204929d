#!/usr/bin/env node
// The cost of PGlite durability (issue 13, item 9): the same write load on the embedded database with
// PGLITE_FSYNC=on (each commit fdatasynced before it is acknowledged) and off, on fresh DATA_DIRs.
//   node bench/pglite-fsync.mjs [--requests 1000] [--connections 8]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const REQUESTS = arg('requests', 1000);
const CONNECTIONS = arg('connections', 8);
const MAIN = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../dist/src/main.js');
const AUTH = `Basic ${Buffer.from('admin@example.com:bench-pass-1').toString('base64')}`;

function start(fsync, dir) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, 'serve'], {
      env: { ...process.env, DATABASE_URL: '', DATA_DIR: dir, PORT: '0', HOST: '127.0.0.1', ADMIN_PASSWORD: 'bench-pass-1', LOG_LEVEL: 'info', PGLITE_FSYNC: fsync },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += d;
      const m = /"port":(\d+),"msg":"v2crm listening/.exec(buf);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.on('exit', (c) => reject(new Error(`server exited ${c}`)));
  });
}

async function load(port) {
  const lat = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (next < REQUESTS) {
        const n = next++;
        const s = performance.now();
        const r = await fetch(`http://127.0.0.1:${port}/api/v2/crm/accounts`, {
          method: 'POST',
          headers: { Authorization: AUTH, 'Content-Type': 'application/json' },
          body: JSON.stringify({ name: `fsync bench ${n}`, company_id: 1 }),
        });
        await r.arrayBuffer();
        if (r.status !== 200) throw new Error(`status ${r.status}`);
        lat.push(performance.now() - s);
      }
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  const q = (p) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))].toFixed(1);
  return { rps: (REQUESTS / secs).toFixed(0), p50: q(0.5), p99: q(0.99) };
}

console.log(`PGlite writes: ${REQUESTS} POST /api/v2/crm/accounts over ${CONNECTIONS} connections`);
for (const fsync of ['off', 'on']) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'v2crm-fsync-bench-'));
  const { child, port } = await start(fsync, dir);
  try {
    const r = await load(port);
    console.log(`PGLITE_FSYNC=${fsync.padEnd(3)}  ${r.rps.padStart(5)} writes/s  p50 ${r.p50} ms  p99 ${r.p99} ms`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
