import { ADMIN_EMAIL, ADMIN_PASSWORD } from '../support/constants';
import { freshDatabase } from '../support/fresh-db';
import { startServer } from '../support/server-process';
import { basicHeader, rawRequest } from '../support/raw-http';
import { makeTestApp } from '../support/test-app';

jest.setTimeout(180000);

describe('Idempotency-Key on a 204 (item 5)', () => {
  it('when a comment is deleted with a key, then the retry replays the 204 at once', async () => {
    const t = await makeTestApp();
    try {
      const acc = (await t.as().post('/api/v2/crm/accounts').send({ name: 'with comment', company_id: 1 })).body.id;
      const c = (await t.as().post(`/api/v2/crm/accounts/${acc}/comments`).send({ comment: 'bye' })).body.id;
      expect((await t.as().delete(`/api/v2/crm/comments/${c}`).set('Idempotency-Key', 'del-c')).status).toBe(204);
      const retry = await t.as().delete(`/api/v2/crm/comments/${c}`).set('Idempotency-Key', 'del-c');
      expect(retry.status).toBe(204);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(await t.knex('idempotency_keys').where({ key: 'del-c' }).first('status')).toEqual({ status: 204 });
    } finally {
      await t.close();
    }
  });
});

describe('kill -9 during keyed writes (item 5)', () => {
  it('when the server is killed under 8 keyed writers, then after a restart every key replays its committed result or runs once, and none hangs', async () => {
    const db = await freshDatabase({ seeded: true });
    const auth = basicHeader(ADMIN_EMAIL, ADMIN_PASSWORD);
    const env = db.env;
    try {
      const first = await startServer(env);
      const sent = new Map<string, string>(); // key → name
      const acked = new Map<string, number>(); // key → id the client was told
      let stop = false;
      const writer = async (w: number) => {
        for (let i = 0; !stop && i < 2000; i++) {
          const key = `crash-${w}-${i}`;
          const name = `crash ${w}/${i}`;
          sent.set(key, name);
          try {
            const r = await rawRequest(first.port, {
              method: 'POST',
              path: '/api/v2/crm/accounts',
              headers: { Authorization: auth, 'Content-Type': 'application/json', 'Idempotency-Key': key },
              body: JSON.stringify({ name, company_id: 1 }),
            });
            if (r.status === 200) acked.set(key, r.json().id as number);
          } catch {
            return; // the server is gone
          }
        }
      };
      const writers = Array.from({ length: 8 }, (_, w) => writer(w));
      while (acked.size < 40) await new Promise((r) => setTimeout(r, 20));
      process.kill(serverPid(first), 'SIGKILL');
      stop = true;
      await Promise.all(writers);

      const second = await startServer(env);
      try {
        let replayed = 0;
        for (const [key, name] of sent) {
          const r = await rawRequest(second.port, {
            method: 'POST',
            path: '/api/v2/crm/accounts',
            headers: { Authorization: auth, 'Content-Type': 'application/json', 'Idempotency-Key': key },
            body: JSON.stringify({ name, company_id: 1 }),
          });
          expect(r.status).toBe(200);
          if (acked.has(key)) {
            expect(r.headers['idempotent-replayed']).toBe('true');
            expect(r.json().id).toBe(acked.get(key));
          }
          if (r.headers['idempotent-replayed'] === 'true') replayed++;
          const list = await rawRequest(second.port, { path: `/api/v2/crm/accounts?name=${encodeURIComponent(name)}`, headers: { Authorization: auth } });
          expect(list.json()).toHaveLength(1);
        }
        expect(replayed).toBeGreaterThanOrEqual(acked.size);
      } finally {
        await second.stop();
      }
    } finally {
      await db.cleanup();
    }
  });
});

function serverPid(s: { logs: Record<string, unknown>[] }): number {
  const pid = s.logs.find((l) => typeof l.pid === 'number')?.pid;
  if (typeof pid !== 'number') throw new Error('no pid in the server log');
  return pid;
}
