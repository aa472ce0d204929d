import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startCluster, PgCluster } from '../spec/support/pg-cluster';
import { accountsNamed, createAccount, report, serve } from './support';

let cluster: PgCluster;
beforeAll(async () => {
  cluster = await startCluster();
});
afterAll(() => cluster?.destroy());

describe('kill -9 under 8 concurrent writers', () => {
  it.each(['pglite', 'postgres'])('when the %s server is killed, then every acknowledged write is present after a restart', async (kind) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'v2crm-k9-'));
    const env = kind === 'pglite' ? { DATA_DIR: dir, DATABASE_URL: '' } : { DATA_DIR: dir, DATABASE_URL: cluster.url };
    try {
      const first = await serve(env);
      const acked = new Map<string, number>();
      let attempted = 0;
      let stop = false;
      const writer = async (w: number) => {
        for (let i = 0; !stop; i++) {
          const name = `k9-${kind}-${w}-${i}`;
          attempted++;
          try {
            const r = await createAccount(first.port, name);
            if (r.status === 200) acked.set(name, JSON.parse(r.text).id);
          } catch {
            return;
          }
        }
      };
      const writers = Array.from({ length: 8 }, (_, w) => writer(w));
      await new Promise((r) => setTimeout(r, 3000));
      first.child.kill('SIGKILL');
      stop = true;
      await Promise.all(writers);
      await first.exitCode();

      const second = await serve(env);
      try {
        const present = await accountsNamed(second.port, `k9-${kind}-`);
        const missing = [...acked].filter(([name, id]) => present.get(name) !== id);
        report(`kill -9 (${kind}): 8 writers, ${attempted} writes sent, ${acked.size} acknowledged, ${acked.size - missing.length} of them present after restart, ${present.size - (acked.size - missing.length)} unacknowledged but committed`);
        expect(acked.size).toBeGreaterThan(0);
        expect(missing).toEqual([]);
      } finally {
        second.child.kill('SIGTERM');
        await second.exitCode();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
