// Shared by the fault scripts: start the built server as a real process, loopback HTTP, a seeded PRNG.
import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { rng } from '../bench/lib/random.mjs';

export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
export const MAIN = path.join(ROOT, 'dist/src/main.js');

export function flag(name, dflt) {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return dflt;
  const v = process.argv[i + 1];
  return typeof dflt === 'number' ? Number(v) : v;
}

/** The benches' mulberry32 (same seed, same run), with the helpers the fuzzer draws with. */
export function prng(seed) {
  const r = rng(seed);
  return { next: r.next, int: (n) => Math.floor(r.next() * n), pick: r.pick, chance: (p) => r.next() < p };
}

export async function freePort() {
  const s = net.createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const port = s.address().port;
  await new Promise((r) => s.close(r));
  return port;
}

/**
 * `node dist/src/main.js serve` on a free port (LOG_LEVEL=warn, so request logs do not weigh on the
 * figures); resolves once the port answers.
 */
export async function startServer(env, { timeoutMs = 90000, port } = {}) {
  port ??= await freePort();
  const child = spawn(process.execPath, [MAIN, 'serve'], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stdout.on('data', (d) => (err += d));
  child.stderr.on('data', (d) => (err += d));
  child.stderrText = () => err;
  child.port = port;
  child.once('exit', (code, signal) => {
    child.exited = { code, signal };
  });
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exited) throw new Error(`server exited (${child.exited.code ?? child.exited.signal}) before listening: ${err}`);
    try {
      const r = await request(port, { path: '/api/v2/openapi.yaml', timeoutMs: 2000 });
      if (r.status === 200) return child;
    } catch {
      /* not yet listening */
    }
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error(`server did not start in ${timeoutMs} ms: ${err}`);
}

export function stopServer(child, signal = 'SIGTERM') {
  if (child.exited) return Promise.resolve(child.exited.code);
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill(signal);
  });
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** One request, path bytes as given; resolves with status, headers and text, or rejects on a socket error. */
export function request(port, { method = 'GET', path: p, headers = {}, body, timeoutMs = 30000 }) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: p, headers, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

export const basic = (email, password) => `Basic ${Buffer.from(`${email}:${password}`).toString('base64')}`;

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
