import { ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import { MAIN } from '../spec/support/server-process';
import { basicHeader, rawRequest } from '../spec/support/raw-http';

export const ADMIN_PASSWORD = 'faults-admin-1';
export const AUTH = basicHeader('admin@example.com', ADMIN_PASSWORD);

/** Figures go to stdout as plain lines, so `make faults` prints them whatever jest does with console. */
export function report(line: string): void {
  process.stdout.write(`FAULTS ${line}\n`);
}

export interface Server {
  child: ChildProcess;
  port: number;
  exited(): boolean;
  exitCode(): Promise<number | null>;
  /** The first error lines the server logged. */
  errors: string[];
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** The built server as a real process; resolves when its port answers. */
export async function serve(env: Record<string, string>, port?: number): Promise<Server> {
  const p = port ?? (await freePort());
  const child = spawn(process.execPath, [MAIN, 'serve'], {
    env: { ...process.env, PORT: String(p), HOST: '127.0.0.1', LOG_LEVEL: 'warn', ADMIN_PASSWORD, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  // Errors the server logs (LOG_LEVEL=warn) are kept for the report of a failing check.
  child.stdout!.on('data', (d: Buffer) => {
    for (const line of d.toString().split('\n')) if (/"level":50/.test(line) && errors.length < 20) errors.push(line.slice(0, 1500));
  });
  const errors: string[] = [];
  let code: number | null | undefined;
  const exit = new Promise<number | null>((r) => child.once('exit', (c) => r((code = c))));
  for (let i = 0; i < 900; i++) {
    if (code !== undefined) throw new Error(`server exited ${code}: ${stderr}`);
    try {
      if ((await rawRequest(p, { path: '/api/v2/openapi.yaml' })).status === 200) break;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, port: p, exited: () => code !== undefined, exitCode: () => exit, errors };
}

export function createAccount(port: number, name: string) {
  return rawRequest(port, { method: 'POST', path: '/api/v2/crm/accounts', headers: { Authorization: AUTH, 'Content-Type': 'application/json' }, body: JSON.stringify({ name, company_id: 1 }) });
}

/** Every account whose name starts with `prefix`, as name → id. */
export async function accountsNamed(port: number, prefix: string): Promise<Map<string, number>> {
  const r = await rawRequest(port, { path: `/api/v2/crm/accounts?name__sw=${encodeURIComponent(prefix)}`, headers: { Authorization: AUTH } });
  if (r.status !== 200) throw new Error(`listing failed: ${r.status} ${r.text}`);
  return new Map((JSON.parse(r.text) as { id: number; name: string }[]).map((a) => [a.name, a.id]));
}
