import { startCluster, PgCluster } from '../spec/support/pg-cluster';
import { rawRequest } from '../spec/support/raw-http';
import { AUTH, createAccount, report, serve, Server } from './support';

let cluster: PgCluster;
let server: Server;
beforeAll(async () => {
  cluster = await startCluster();
  server = await serve({ DATABASE_URL: cluster.url, DATA_DIR: '/nonexistent-unused', DB_STATEMENT_TIMEOUT_MS: '2000', DB_ACQUIRE_TIMEOUT_MS: '2000' });
});
afterAll(async () => {
  server?.child.kill('SIGTERM');
  await server?.exitCode();
  cluster?.destroy();
});

describe('the PostgreSQL cluster restarts under load', () => {
  it('when the database goes away and comes back, then requests are 503 JSON meanwhile and succeed again without a server restart', async () => {
    const statuses = new Map<number, number>();
    const bad: string[] = [];
    let phase: 'before' | 'down' | 'after' = 'before';
    let lastErrorAt = 0;
    let firstOkAfter = 0;
    let stop = false;
    let n = 0;
    const worker = async (w: number) => {
      while (!stop) {
        const i = n++;
        const r =
          i % 2 === 0
            ? await createAccount(server.port, `restart-${w}-${i}`)
            : await rawRequest(server.port, { path: '/api/v2/crm/accounts?_limit=5', headers: { Authorization: AUTH } });
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        if (r.status === 200) {
          if (phase === 'after' && !firstOkAfter) firstOkAfter = Date.now();
        } else {
          lastErrorAt = Date.now();
          let json = false;
          try {
            json = typeof JSON.parse(r.text).error?.code === 'string';
          } catch {
            json = false;
          }
          if (r.status !== 503 || !json) bad.push(`${r.status} ${r.text.slice(0, 200)}`);
        }
        if (r.status !== 200) await new Promise((res) => setTimeout(res, 20));
      }
    };
    const workers = Array.from({ length: 4 }, (_, w) => worker(w));
    await new Promise((r) => setTimeout(r, 1000));
    const downAt = Date.now();
    phase = 'down';
    cluster.stop();
    await new Promise((r) => setTimeout(r, 3000));
    const upAt = Date.now();
    cluster.start();
    phase = 'after';
    const startedAt = Date.now();
    while (!firstOkAfter && Date.now() - startedAt < 60000) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 1000));
    stop = true;
    await Promise.all(workers);
    report(
      `PostgreSQL restart under load: down ${((upAt - downAt) / 1000).toFixed(1)} s (pg_ctl stop -m fast to start), first success ${((firstOkAfter - upAt) / 1000).toFixed(2)} s after pg_ctl start returned, ` +
        `statuses ${[...statuses].sort((a, b) => a[0] - b[0]).map(([s, c]) => `${s}×${c}`).join(' ')}, server restarts 0`,
    );
    if (bad.length) report(`server errors: ${server.errors.join('\n')}`);
    expect(bad).toEqual([]);
    expect(statuses.get(503) ?? 0).toBeGreaterThan(0);
    expect(firstOkAfter).toBeGreaterThan(0);
    expect(lastErrorAt).toBeLessThan(firstOkAfter + 5000);
    expect(server.exited()).toBe(false);
  });
});
