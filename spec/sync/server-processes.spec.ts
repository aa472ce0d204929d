import { freshDatabase } from '../support/fresh-db';
import { ADMIN_EMAIL, ADMIN_PASSWORD } from '../support/constants';
import { ServerProcess, startServer } from '../support/server-process';
import { Receiver, until } from './receiver';

jest.setTimeout(120000);

const auth = { Authorization: `Basic ${Buffer.from(`${ADMIN_EMAIL}:${ADMIN_PASSWORD}`).toString('base64')}`, 'Content-Type': 'application/json' };
const onPostgres = Boolean(process.env.TEST_DATABASE_URL);

describe('webhooks from the built server', () => {
  // Two `serve` processes on one PostgreSQL database, each with its own webhook worker; PGlite is one
  // process by design (its data directory is locked), so there the one process's worker is checked.
  it('when the server processes share one database and writes go to each, then every change arrives exactly once', async () => {
    const db = await freshDatabase({ seeded: true });
    const receiver = await new Receiver().start();
    const servers: ServerProcess[] = [];
    try {
      const env = { ...db.env, WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', WEBHOOK_POLL_MS: '20', WEBHOOK_RETRY_SECONDS: '1' };
      servers.push(await startServer({ ...env, LOG_LEVEL: 'info' }));
      if (onPostgres) servers.push(await startServer({ ...env, LOG_LEVEL: 'info' }));
      const base = (i: number) => `http://127.0.0.1:${servers[i % servers.length].port}/api/v2`;
      const hook = await fetch(`${base(0)}/webhooks`, { method: 'POST', headers: auth, body: JSON.stringify({ url: receiver.url, events: ['crm/accounts.*'] }) });
      expect(hook.status).toBe(201);
      const ids = await Promise.all(
        Array.from({ length: 30 }, async (_, i) => {
          const res = await fetch(`${base(i)}/crm/accounts`, { method: 'POST', headers: auth, body: JSON.stringify({ company_id: 1, name: `Two servers ${i}` }) });
          return ((await res.json()) as { id: number }).id;
        }),
      );
      await until(() => receiver.delivered.length >= 30, 30000, '30 deliveries');
      await new Promise((r) => setTimeout(r, 300));
      expect(receiver.got.length).toBe(30);
      expect(new Set(receiver.got.map((g) => g.json.id)).size).toBe(30);
      expect(receiver.got.map((g) => g.json.data.id as number).sort((a, b) => a - b)).toEqual([...ids].sort((a, b) => a - b));
      for (const s of servers.splice(0)) expect(await s.stop()).toBe(0);
    } finally {
      for (const s of servers) await s.stop();
      await receiver.stop();
      await db.cleanup();
    }
  });
});
