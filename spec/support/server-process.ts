import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');
export const MAIN = path.join(ROOT, 'dist/src/main.js');

/**
 * Node flags of every spawned CLI or server. A process of a spec lives seconds and runs little SQL,
 * but V8 spends about a core-second of it compiling PGlite's WASM for TurboFan: Liftoff alone halves
 * a CLI run's CPU (`user list`: 1.75 → 0.78 s user) and is faster for a 5,000-row import too.
 */
export const NODE_ARGS = ['--liftoff-only'];

export interface ServerProcess {
  port: number;
  /** Every log line so far, parsed. */
  logs: Record<string, unknown>[];
  stop(): Promise<number | null>;
}

/** Starts the built CLI's `serve` with PORT=0 and waits for its "listening" log line. */
export function startServer(env: Record<string, string>, timeoutMs = 60000): Promise<ServerProcess> {
  const child: ChildProcess = spawn(process.execPath, [...NODE_ARGS, MAIN, 'serve'], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      // Its own log says how far it got (database opened, migrations, ...): a start that hangs shows where.
      const seen = logs.map((l) => `${String(l.msg)}${l.err ? `: ${JSON.stringify(l.err)}` : ''}`).join(' | ');
      reject(new Error(`server did not start in ${timeoutMs} ms; its log: ${seen || '(nothing)'}; stderr: ${stderr}`));
    }, timeoutMs);
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        try {
          const entry = JSON.parse(line);
          logs.push(entry);
          if (typeof entry.port === 'number' && /listening/.test(entry.msg)) {
            clearTimeout(timer);
            resolve({
              port: entry.port,
              logs,
              stop: () =>
                new Promise((res) => {
                  child.once('exit', (code) => res(code));
                  child.kill('SIGTERM');
                }),
            });
          }
        } catch {
          /* not a log line */
        }
      }
    });
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening; stderr: ${stderr}`));
    });
  });
}

/** Runs the built CLI once and collects its output. */
export function runCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...NODE_ARGS, MAIN, ...args], { env: { ...process.env, LOG_LEVEL: 'warn', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
