import fs from 'node:fs';
import path from 'node:path';
import { freshDatabase } from '../support/fresh-db';
import { runCli, startServer } from '../support/server-process';

jest.setTimeout(180000);

function basic(email: string, password: string) {
  return { Authorization: `Basic ${Buffer.from(`${email}:${password}`).toString('base64')}` };
}

describe('first start, restart and the CLI', () => {
  it('when started on an empty database without ADMIN_PASSWORD, then base data exists, the password is logged once, and data survives a restart', async () => {
    const db = await freshDatabase();
    try {
      const first = await startServer({ ...db.env, ADMIN_EMAIL: 'boss@example.com', ADMIN_PASSWORD: '' });
      const pwLine = first.logs.find((l) => typeof l.password === 'string');
      expect(pwLine).toBeDefined();
      const password = pwLine!.password as string;
      expect(password.length).toBeGreaterThanOrEqual(16);
      const base = `http://127.0.0.1:${first.port}`;
      const auth = basic('boss@example.com', password);

      const created = await fetch(`${base}/api/v2/crm/accounts`, {
        method: 'POST',
        headers: { ...auth, 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: 'Survivor', company_id: 1 }),
      });
      expect(created.status).toBe(200);
      const account = (await created.json()) as { id: number; company: Record<string, unknown> & { currency: unknown; settings: unknown } };
      expect(account.company).toMatchObject({ id: 1, code: 'ACM', name: 'Acme Corporation', currency_code: 'GBP' });
      expect(account.company.currency).toEqual({ code: 'GBP', name: 'British Pound Sterling', symbol: '£', html_code: null, id: 1, is_base: true });
      expect(account.company.settings).toEqual({ time_format: 'H:i', date_format: 'Y-m-d', locale: 'en_GB', week_starts: null, non_working_days: null });
      expect(await first.stop()).toBe(0);

      const second = await startServer(db.env);
      expect(second.logs.some((l) => typeof l.password === 'string')).toBe(false);
      const again = await fetch(`http://127.0.0.1:${second.port}/api/v2/crm/accounts/${account.id}`, { headers: auth });
      expect(again.status).toBe(200);
      expect(((await again.json()) as { name: string }).name).toBe('Survivor');
      await second.stop();

      const add = await runCli(['user', 'add', '--email', 'clerk@example.com', '--password', 'clerk-pass-1', '--role', 'user'], db.env);
      expect(add.stderr).toBe('');
      expect(add.code).toBe(0);
      expect(add.stdout).toContain('clerk@example.com');
      const dup = await runCli(['user', 'add', '--email', 'CLERK@example.com', '--password', 'clerk-pass-1'], db.env);
      expect(dup.code).toBe(1);
      expect(dup.stderr).toContain('already exists');
      const short = await runCli(['user', 'add', '--email', 'x@example.com', '--password', 'short'], db.env);
      expect(short.code).toBe(1);
      expect(short.stderr).toContain('at least 8');

      // import / export through the built CLI: progress on stderr, summary and data on stdout.
      const csv = path.join(db.env.DATA_DIR, 'in.csv');
      fs.writeFileSync(csv, 'external_id,name,company_id\nCLI-1,From CLI,1\nCLI-2,,1\n');
      const imported = await runCli(['import', 'accounts', csv], db.env);
      expect(imported.stdout).toContain('2 records: 1 created, 0 updated, 0 unchanged, 1 failed');
      expect(imported.stdout).toMatch(/line 3: name must not be empty/);
      expect(imported.stderr).toMatch(/importing accounts: 2 records, 100% of the file, \d+ records\/s, ETA 0s/);
      expect(imported.code).toBe(2);
      const reimported = await runCli(['import', 'accounts', csv], db.env);
      expect(reimported.stdout).toContain('2 records: 0 created, 0 updated, 1 unchanged, 1 failed');
      const exported = await runCli(['export', 'accounts', '--format', 'json'], db.env);
      expect(exported.code).toBe(0);
      const accounts = JSON.parse(exported.stdout) as { name: string; external_id: string | null }[];
      expect(accounts.map((a) => a.name)).toEqual(['Survivor', 'From CLI']);
      const csvOut = await runCli(['export', 'accounts', '--format', 'csv'], db.env);
      expect(csvOut.stdout.split('\n')[0]).toMatch(/^id,company_id,name,/);

      const third = await startServer(db.env);
      const asClerk = await fetch(`http://127.0.0.1:${third.port}/api/v2/crm/accounts`, { headers: basic('clerk@example.com', 'clerk-pass-1') });
      expect(asClerk.status).toBe(200);
      await third.stop();
    } finally {
      await db.cleanup();
    }
  });
});
