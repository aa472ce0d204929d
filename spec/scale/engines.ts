import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** PostgreSQL 15's server binaries (initdb, pg_ctl, pg_basebackup), as Debian installs them. */
export const PG_BIN = process.env.PG_BIN || '/usr/lib/postgresql/15/bin';
const PGBOUNCER = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'].find((p) => fs.existsSync(p));

/**
 * Fails (not skips) when a binary these specs need is missing: the CI installs them (`.ci/run`),
 * and a scale-out path that is not tested is not there.
 */
export function requireBinary(name: string, file: string | undefined, hint: string): string {
  if (!file || !fs.existsSync(file)) throw new Error(`${name} is required by spec/scale but not found (${hint})`);
  return file;
}

export function pgbouncerBinary(): string {
  return requireBinary('pgbouncer', PGBOUNCER, 'apt-get install pgbouncer');
}

/** PostgreSQL and PgBouncer refuse to run as root: as root, run them as the postgres user. */
function asServerUser(cmd: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
}

export function runAsServerUser(cmd: string, args: string[], opts: { timeout?: number } = {}): string {
  const [c, a] = asServerUser(cmd, args);
  return execFileSync(c, a, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: opts.timeout ?? 60000 });
}

/** A directory the server user may write to; removed by the returned function. */
export function scratchDir(prefix: string): { dir: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  if (process.getuid?.() === 0) execFileSync('chown', ['postgres:postgres', dir]);
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** A loopback port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Waits until something accepts TCP connections on the port. */
export async function waitForPort(port: number, maxMs = 30000): Promise<void> {
  const until = Date.now() + maxMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = net.connect(port, '127.0.0.1');
      c.once('connect', () => {
        c.destroy();
        resolve(true);
      });
      c.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`nothing listens on 127.0.0.1:${port} after ${maxMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface Bouncer {
  port: number;
  stop(): Promise<void>;
}

/**
 * A real PgBouncer in transaction pooling mode on a free loopback port, in front of the PostgreSQL
 * on `upstreamPort`, with few server connections so that client sessions really are multiplexed.
 */
export async function startPgBouncer(upstreamPort: number, poolSize = 2): Promise<Bouncer> {
  const bin = pgbouncerBinary();
  const port = await freePort();
  const { dir, remove } = scratchDir('v2crm-pgbouncer-');
  fs.writeFileSync(path.join(dir, 'users.txt'), '"postgres" ""\n');
  fs.writeFileSync(
    path.join(dir, 'pgbouncer.ini'),
    [
      '[databases]',
      `* = host=127.0.0.1 port=${upstreamPort}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      `unix_socket_dir = ${dir}`,
      'auth_type = trust',
      `auth_file = ${path.join(dir, 'users.txt')}`,
      'pool_mode = transaction',
      // v2crm sends statement_timeout at connect (DB_STATEMENT_TIMEOUT_MS); PgBouncer refuses unknown
      // startup parameters unless told to ignore them (docs/scaling.md, PgBouncer table).
      'ignore_startup_parameters = statement_timeout',
      `default_pool_size = ${poolSize}`,
      'max_client_conn = 500',
      `pidfile = ${path.join(dir, 'pgbouncer.pid')}`,
      `logfile = ${path.join(dir, 'pgbouncer.log')}`,
      '',
    ].join('\n'),
  );
  if (process.getuid?.() === 0) execFileSync('chown', ['-R', 'postgres:postgres', dir]);
  const args = process.getuid?.() === 0 ? ['-u', 'postgres', path.join(dir, 'pgbouncer.ini')] : [path.join(dir, 'pgbouncer.ini')];
  const child: ChildProcess = spawn(bin, args, { stdio: 'ignore' });
  let exited = false;
  child.once('exit', () => (exited = true));
  try {
    await waitForPort(port);
  } catch (e) {
    child.kill('SIGKILL');
    remove();
    throw e;
  }
  return {
    port,
    stop: async () => {
      if (!exited) {
        await new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGINT');
        });
      }
      remove();
    },
  };
}

export interface Cluster {
  port: number;
  dir: string;
  /** Stops the server (fast), if it still runs. */
  stop(): void;
}

function startCluster(dir: string, port: number): Cluster {
  runAsServerUser(path.join(PG_BIN, 'pg_ctl'), [
    '-D', dir, '-l', path.join(dir, 'server.log'), '-w', '-t', '60',
    '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c shared_buffers=16MB`,
    'start',
  ]);
  let running = true;
  return {
    port,
    dir,
    stop: () => {
      if (!running) return;
      running = false;
      try {
        runAsServerUser(path.join(PG_BIN, 'pg_ctl'), ['-D', dir, '-m', 'immediate', '-w', 'stop']);
      } catch {
        /* already stopped */
      }
    },
  };
}

/**
 * A primary initdb'd here and a hot standby made from it with pg_basebackup (streaming replication),
 * both on free loopback ports, from the machine's PostgreSQL binaries. `cleanup` stops both and
 * deletes their directories; call it in a finally/afterAll.
 */
export async function startPrimaryAndStandby(): Promise<{ primary: Cluster; standby: Cluster; cleanup: () => void }> {
  requireBinary('initdb', path.join(PG_BIN, 'initdb'), 'PostgreSQL 15 server binaries, apt-get install postgresql-15');
  const root = scratchDir('v2crm-replication-');
  const started: Cluster[] = [];
  const cleanup = () => {
    for (const c of started.reverse()) c.stop();
    root.remove();
  };
  try {
    const primaryDir = path.join(root.dir, 'primary');
    const standbyDir = path.join(root.dir, 'standby');
    runAsServerUser(path.join(PG_BIN, 'initdb'), ['-D', primaryDir, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
    const primary = startCluster(primaryDir, await freePort());
    started.push(primary);
    runAsServerUser(path.join(PG_BIN, 'pg_basebackup'), ['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres', '-D', standbyDir, '-R', '-X', 'stream', '--no-sync']);
    const standby = startCluster(standbyDir, await freePort());
    started.push(standby);
    return { primary, standby, cleanup };
  } catch (e) {
    cleanup();
    throw e;
  }
}
