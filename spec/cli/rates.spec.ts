import fs from 'node:fs';
import path from 'node:path';
import { freshDatabase } from '../support/fresh-db';
import { runCli } from '../support/server-process';

jest.setTimeout(180000);

describe('v2crm rates', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  beforeAll(async () => {
    db = await freshDatabase({ seeded: true });
  });
  afterAll(() => db.cleanup());

  it('when a rate is set, then it is listed as CSV; setting the same day again replaces it', async () => {
    const set = await runCli(['rates', 'set', 'eur', '1.15', '--date', '2026-11-01'], db.env);
    expect(set.stderr).toBe('');
    expect(set.code).toBe(0);
    expect(set.stdout.trim()).toBe('1 GBP = 1.15 EUR from 2026-11-01');
    expect((await runCli(['rates', 'set', 'EUR', '1.16', '--date', '2026-11-01'], db.env)).code).toBe(0);
    const list = await runCli(['rates', 'list'], db.env);
    expect(list.stdout).toBe('currency_code,rate,valid_from\nEUR,1.16,2026-11-01\n');
  });

  it('when a rate is bad, then the command fails naming the field', async () => {
    const bad = await runCli(['rates', 'set', 'GBP', '-1', '--date', '2026-02-30'], db.env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/currency_code: GBP is the base currency/);
    expect(bad.stderr).toMatch(/rate: must be a positive decimal/);
    expect(bad.stderr).toMatch(/valid_from: must be a date/);
  });

  it('when a CSV has bad lines, then nothing is imported and every bad line is named; a good file imports', async () => {
    const badFile = path.join(db.env.DATA_DIR, 'bad.csv');
    fs.writeFileSync(badFile, 'currency_code,rate,valid_from\nUSD,1.25,2026-11-01\nXYZ,2,2026-11-01\n\nJPY,0,2026-11-01\n');
    const bad = await runCli(['rates', 'import', badFile], db.env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/nothing imported: 2 bad line\(s\)/);
    expect(bad.stderr).toMatch(/line 3: currency_code "XYZ" is not a currency/);
    expect(bad.stderr).toMatch(/line 5: rate must be a positive decimal/);
    expect((await runCli(['rates', 'list'], db.env)).stdout).not.toMatch(/USD/);

    const columns = path.join(db.env.DATA_DIR, 'columns.csv');
    fs.writeFileSync(columns, 'currency,rate\nUSD,1.25\n');
    const wrong = await runCli(['rates', 'import', columns], db.env);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/line 1: unknown column currency/);

    const good = path.join(db.env.DATA_DIR, 'good.csv');
    fs.writeFileSync(good, 'currency_code,rate,valid_from\nUSD,1.25,2026-11-01\nJPY,187.5,2026-10-01\nJPY,190,2026-11-01\n');
    const ok = await runCli(['rates', 'import', good], db.env);
    expect(ok.stdout.trim()).toBe('3 rates imported');
    expect((await runCli(['rates', 'list'], db.env)).stdout).toBe(
      'currency_code,rate,valid_from\nEUR,1.16,2026-11-01\nJPY,187.5,2026-10-01\nJPY,190,2026-11-01\nUSD,1.25,2026-11-01\n',
    );
    const missing = await runCli(['rates', 'import', path.join(db.env.DATA_DIR, 'nope.csv')], db.env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no such file/);
  });
});
