import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** initdb refuses to run as root: then the cluster belongs to the machine's postgres user. */
function owner(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  return { uid: Number(execFileSync('id', ['-u', 'postgres']).toString()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString()) };
}

export interface PgCluster {
  port: number;
  url: string;
  start(): void;
  /** A fast shutdown (clients are disconnected), as an operator's restart would. */
  stop(): void;
  /** SIGSTOP / SIGCONT to every process of the cluster: a database that answers nothing. */
  freeze(): void;
  thaw(): void;
  destroy(): void;
}

function run(args: string[], who: { uid?: number; gid?: number }) {
  const r = spawnSync(args[0], args.slice(1), { ...who, encoding: 'utf8', timeout: 60000 });
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr || r.stdout}`);
}

/**
 * Signals one process of the cluster. One that is gone needs none: after SIGCONT reaches the
 * postmaster first, a backend whose client went away during the freeze may exit before its own
 * SIGCONT (seen once in CI as `kill ESRCH`).
 */
function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
  }
}

function clusterPids(dir: string): number[] {
  const main = Number(fs.readFileSync(path.join(dir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const children = fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === main;
      } catch {
        return false;
      }
    })
    .map(Number);
  return [main, ...children];
}

/** A PostgreSQL cluster of the test's own (initdb on a free loopback port, trust auth, no fsync). */
export async function startCluster(): Promise<PgCluster> {
  if (!fs.existsSync(path.join(BIN, 'initdb'))) throw new Error(`PostgreSQL binaries not found in ${BIN} (set PG_BIN)`);
  const who = owner();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'v2crm-pg-'));
  if (who.uid !== undefined) fs.chownSync(dir, who.uid, who.gid!);
  const port = await freePort();
  run([path.join(BIN, 'initdb'), '-D', dir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'], who);
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50`;
  const cluster: PgCluster = {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start: () => run([path.join(BIN, 'pg_ctl'), '-D', dir, '-o', opts, '-l', path.join(dir, 'log'), '-w', 'start'], who),
    stop: () => run([path.join(BIN, 'pg_ctl'), '-D', dir, '-m', 'fast', '-w', 'stop'], who),
    freeze: () => clusterPids(dir).forEach((p) => signal(p, 'SIGSTOP')),
    thaw: () => clusterPids(dir).forEach((p) => signal(p, 'SIGCONT')),
    destroy: () => {
      try {
        cluster.thaw();
        cluster.stop();
      } catch {
        /* already stopped */
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  cluster.start();
  return cluster;
}
