import { ADMIN_EMAIL, ADMIN_PASSWORD } from '../support/constants';
import { freshDatabase } from '../support/fresh-db';
import { runCli, startServer } from '../support/server-process';
import { startSmtp } from './smtp';

jest.setTimeout(120000);

const auth = { Authorization: `Basic ${Buffer.from(`${ADMIN_EMAIL}:${ADMIN_PASSWORD}`).toString('base64')}`, 'Content-Type': 'application/json' };

describe('the mail worker in the built server', () => {
  it('when the server runs with SMTP_HOST, then a queued e-mail leaves without anyone calling the worker', async () => {
    const db = await freshDatabase({ seeded: true });
    const smtp = await startSmtp();
    try {
      const server = await startServer({ ...db.env, SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtp.port), MAIL_POLL_SECONDS: '1', MAIL_FROM: 'crm@example.com' });
      const base = `http://127.0.0.1:${server.port}/api/v2/crm`;
      const account = (await (await fetch(`${base}/accounts`, { method: 'POST', headers: auth, body: JSON.stringify({ company_id: 1, name: 'Mail', email: 'ap@customer.example' }) })).json()) as { id: number };
      const sent = await fetch(`${base}/accounts/${account.id}/emails`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ recipients: ['ap@customer.example'], subject: 'Invoice reminder', html: '<p>Please pay</p>' }),
      });
      expect(sent.status).toBe(201);
      const { id, notice } = (await sent.json()) as { id: number; notice: string | null };
      expect(notice).toBeNull();
      let status = '';
      for (let i = 0; i < 50 && status !== 'sent'; i++) {
        await new Promise((r) => setTimeout(r, 200));
        status = ((await (await fetch(`${base}/emails/${id}`, { headers: auth })).json()) as { status: string }).status;
      }
      expect(status).toBe('sent');
      expect(smtp.messages.map((m) => m.to)).toEqual([['ap@customer.example']]);
      expect(await server.stop()).toBe(0);

      const alone = await runCli(['worker', '--once'], { ...db.env, SMTP_HOST: '' });
      expect(alone.code).toBe(1);
      expect(alone.stderr).toMatch(/SMTP_HOST is not set/);
    } finally {
      await smtp.close();
      await db.cleanup();
    }
  });
});
