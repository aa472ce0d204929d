import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/** A second process on one DATA_DIR: the CLI prints the message and exits with code 2. */
export class DataDirLockedError extends Error {
  readonly exitCode = 2;
}

const PID_FILE = 'v2crm.pid';

function holderOf(dir: string): { pid?: number; command?: string } {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, PID_FILE), 'utf8')) as { pid?: number; command?: string };
  } catch {
    return {};
  }
}

function lockedError(dir: string): DataDirLockedError {
  const h = holderOf(dir);
  const who = h.pid ? `process ${h.pid}${h.command ? ` (${h.command})` : ''}` : 'another process';
  return new DataDirLockedError(
    `DATA_DIR ${dir} is in use by ${who}: the embedded database allows one process at a time. ` +
      'Stop that server first, or make the change through its API, or set DATABASE_URL so several processes share a PostgreSQL server.',
  );
}

/**
 * Exclusive lock on DATA_DIR for the life of this process. On Linux it is a listening socket in the
 * abstract namespace named after the directory: the kernel gives it to one process only and frees it
 * when that process ends in any way (kill -9 included), so no stale lock is ever left behind. The
 * pid file beside it only names the holder in the second opener's message. Elsewhere, the pid file
 * created exclusively is the lock, and a holder that no longer runs is replaced.
 */
export async function lockDataDir(dir: string): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  const real = fs.realpathSync(dir);
  const command = process.argv.slice(2).join(' ') || 'serve';
  const pidFile = path.join(real, PID_FILE);
  const record = JSON.stringify({ pid: process.pid, command: `v2crm ${command}`.slice(0, 200) });
  if (process.platform === 'linux') {
    const name = `\0v2crm-data-dir-${crypto.createHash('sha256').update(real).digest('hex').slice(0, 32)}`;
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) => reject(e.code === 'EADDRINUSE' ? lockedError(real) : e));
      server.listen(name, () => resolve());
    });
    // Held, not served: it must not keep a finished CLI command alive.
    server.unref();
    fs.writeFileSync(pidFile, record);
    return;
  }
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(pidFile, record, { flag: 'wx' });
      process.once('exit', () => fs.rmSync(pidFile, { force: true }));
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const { pid } = holderOf(real);
      if (pid && isAlive(pid)) throw lockedError(real);
      fs.rmSync(pidFile, { force: true });
    }
  }
  throw lockedError(real);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
