import { startServer, ServerProcess } from '../support/server-process';
import { ADMIN, call, eventually, scratchDatabase } from './support';

jest.setTimeout(120000);

/** `serve` with WEB_CONCURRENCY=2: one primary, two workers, one port. */
let db: Awaited<ReturnType<typeof scratchDatabase>>;
let server: ServerProcess | undefined;
let base: string;

/** Process ids of the workers that logged a request line so far. */
const requestPids = () => new Set(server!.logs.filter((l) => l.req && l.res).map((l) => l.pid as number));

beforeAll(async () => {
  db = await scratchDatabase('v2crm_cluster');
  server = await startServer({ DATABASE_URL: db.url, DATA_DIR: db.dir, ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, WEB_CONCURRENCY: '2' });
  base = `http://127.0.0.1:${server.port}`;
  // startServer returns at the first worker's "listening" line; the primary logs once all listen.
  const all = async () => server!.logs.some((l) => l.workers === 2 && /listening/.test(String(l.msg)));
  if (!(await eventually(all, 60000))) throw new Error('the second worker never listened');
});

afterAll(async () => {
  await server?.stop();
  await db?.cleanup();
});

describe('WEB_CONCURRENCY=2', () => {
  it('when requests arrive on the one port, then both worker processes serve them', async () => {
    const replies = await Promise.all(Array.from({ length: 20 }, () => call(base, 'GET', '/api/v2/crm/accounts?_limit=1')));
    expect(replies.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(await eventually(async () => requestPids().size === 2, 5000)).toBe(true);
  });

  it('when a worker is killed, then another takes its place and the port keeps answering', async () => {
    const [victim] = [...requestPids()];
    process.kill(victim, 'SIGKILL');
    expect(server!.logs).not.toContainEqual(expect.objectContaining({ msg: 'worker process exited; starting another', worker: victim }));
    const replaced = async () => server!.logs.some((l) => l.msg === 'worker process exited; starting another' && l.worker === victim);
    expect(await eventually(replaced, 10000)).toBe(true);
    const after = async () => {
      const r = await Promise.all(Array.from({ length: 10 }, () => call(base, 'GET', '/ready').catch(() => ({ status: 0 }))));
      return r.every((x) => x.status === 200);
    };
    expect(await eventually(after, 20000)).toBe(true);
  });

  it('when the primary gets SIGTERM, then it stops its workers and exits 0', async () => {
    const s = server!;
    server = undefined;
    expect(await s.stop()).toBe(0);
    expect(await call(base, 'GET', '/health').then(() => 'answered', () => 'refused')).toBe('refused');
  });
});
