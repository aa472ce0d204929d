import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { MAIN, NODE_ARGS, runCli } from '../support/server-process';

jest.setTimeout(180000);

const BIN = '/usr/lib/postgresql/15/bin';
const ROWS = 5000;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** The postgres system user: initdb and the server refuse to run as root. */
const asPostgres = () => ({ uid: Number(execFileSync('id', ['-u', 'postgres']).toString()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString()) });

/** A PostgreSQL 15 server of the test's own, on a free loopback port, TCP only; signals reach the postmaster itself. */
async function startServer(dataDir: string, port: number): Promise<ChildProcess> {
  const server = spawn(`${BIN}/postgres`, ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='], { stdio: 'ignore', ...asPostgres() });
  for (let i = 0; i < 100; i++) {
    const c = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` });
    try {
      await c.connect();
      await c.end();
      return server;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  server.kill('SIGKILL');
  throw new Error('the test PostgreSQL server did not start');
}

describe('import while the database server crashes', () => {
  it('when PostgreSQL dies half-way through an import, then the CLI says so in one line and a run after the restart ends with exactly one run of rows', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'v2crm-pgcrash-'));
    fs.chmodSync(dir, 0o755);
    const dataDir = path.join(dir, 'data');
    fs.mkdirSync(dataDir, { mode: 0o700 });
    execFileSync('chown', ['postgres:postgres', dataDir]);
    execFileSync(`${BIN}/initdb`, ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '--no-sync'], { stdio: 'ignore', cwd: dir, ...asPostgres() });
    const port = await freePort();
    let server = await startServer(dataDir, port);
    try {
      const env = { DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/postgres`, DATA_DIR: dir, ADMIN_PASSWORD: 'crash-admin-1', LOG_LEVEL: 'warn' };
      const file = path.join(dir, 'unkeyed.csv');
      fs.writeFileSync(file, ['name,company_id', ...Array.from({ length: ROWS }, (_, i) => `Crash ${i},1`)].join('\n') + '\n');

      // The server gets SIGQUIT (an immediate shutdown, as a crash) once the first batch has committed.
      const crashed = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [...NODE_ARGS, MAIN, 'import', 'accounts', file, '--batch-size', '50'], { env: { ...process.env, ...env } });
        let stderr = '';
        let signalled = false;
        child.stderr.on('data', (d: Buffer) => {
          stderr += d.toString();
          if (!signalled && /importing accounts: \d+ records/.test(stderr)) {
            signalled = true;
            server.kill('SIGQUIT');
          }
        });
        child.on('exit', (code) => resolve({ code, stderr }));
      });
      expect(crashed.code).toBe(1);
      const lines = crashed.stderr.trim().split('\n').filter((l) => !l.startsWith('importing accounts:'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^error: cannot finish importing .*unkeyed\.csv: .*; run the same command again to resume after the last committed batch$/);
      await new Promise<void>((r) => (server.exitCode !== null ? r() : server.once('exit', () => r())));

      server = await startServer(dataDir, port);
      const resumed = await runCli(['import', 'accounts', file, '--batch-size', '50'], env);
      expect(resumed.code).toBe(0);
      expect(resumed.stdout).toMatch(/resumed import \d+ after record \d+/);
      const c = new pg.Client({ connectionString: env.DATABASE_URL });
      await c.connect();
      const { rows } = await c.query("SELECT count(*)::int AS n, count(DISTINCT name)::int AS names FROM accounts WHERE name LIKE 'Crash %'");
      await c.end();
      expect(rows[0]).toEqual({ n: ROWS, names: ROWS });
    } finally {
      server.kill('SIGTERM');
      await new Promise<void>((r) => (server.exitCode !== null ? r() : server.once('exit', () => r())));
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
