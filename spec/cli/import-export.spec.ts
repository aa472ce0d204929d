import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importAccounts, exportAccounts } from '../../src/cli/accounts-io';
import { Caller } from '../../src/auth/basic';
import { makeTestApp, TestApp } from '../support/test-app';

jest.setTimeout(300000);

let t: TestApp;
let dir: string;
let caller: Caller;
beforeAll(async () => {
  t = await makeTestApp();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'v2crm-import-'));
  caller = { id: 1, orgId: 1, role: 'admin', email: t.admin.email };
  await t.as().post('/api/v2/meta/crm/accounts/custom_fields').send({ type: 'integer', label: 'Seats' });
});
afterAll(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
  await t.close();
});

describe('import and export of accounts', () => {
  it('when a 10,000-row CSV is imported twice, then the second run updates instead of duplicating, with exact counts', async () => {
    const file = path.join(dir, 'accounts.csv');
    const lines = ['external_id,name,company_id,is_customer,tel,customer_since,custom_fields.field_1'];
    for (let i = 0; i < 10000; i++) lines.push(`CSV-${i},"Import ${i}, Ltd",1,${i % 2 ? 'true' : 'false'},${i},2020-01-0${(i % 9) + 1},${i % 100}`);
    // Three bad rows: no name, a bad boolean, an unknown company.
    lines.push('CSV-bad-1,,1,true,1,,');
    lines.push('CSV-bad-2,Bad bool,1,maybe,1,,');
    lines.push('CSV-bad-3,Bad company,999,true,1,,');
    fs.writeFileSync(file, lines.join('\n') + '\n');

    const first = await importAccounts(t.knex, caller, file, 'csv');
    expect(first).toMatchObject({ total: 10003, created: 10000, updated: 0, failed: 3 });
    expect(first.failures.map((f) => [f.line, f.errors![0].field])).toEqual([
      [10002, 'name'],
      [10003, 'is_customer'],
      [10004, 'company_id'],
    ]);

    const second = await importAccounts(t.knex, caller, file, 'csv');
    expect(second).toMatchObject({ total: 10003, created: 0, updated: 10000, failed: 3 });
    expect(await t.knex('accounts').where('external_id', 'like', 'CSV-%').count({ n: '*' })).toEqual([{ n: 10000 }]);

    const one = await t.as().get('/api/v2/crm/accounts/external_id/CSV-7');
    expect(one.body).toMatchObject({ name: 'Import 7, Ltd', is_customer: true, tel: '7', customer_since: '2020-01-08', custom_fields: { field_1: 7 } });
  });

  it('when a v2 JSON dump is imported, then company gives company_id, ids become import_id, and a re-run does not duplicate', async () => {
    const file = path.join(dir, 'dump.json');
    const { body: sample } = await t.as().post('/api/v2/crm/accounts').send({ name: 'Template', company_id: 1 });
    const dump = [1, 2, 3].map((n) => ({ ...sample, id: 9000 + n, name: `Dumped ${n}`, external_id: null, balance: { GBP: 1 }, converted_balance: null }));
    fs.writeFileSync(file, JSON.stringify(dump));
    const first = await importAccounts(t.knex, caller, file, 'json');
    expect(first).toMatchObject({ created: 3, updated: 0, failed: 0 });
    const again = await importAccounts(t.knex, caller, file, 'json');
    expect(again).toMatchObject({ created: 0, updated: 3, failed: 0 });
    const rows = await t.knex('accounts').where('name', 'like', 'Dumped %').orderBy('id');
    expect(rows.map((r) => r.import_id)).toEqual(['v2:9001', 'v2:9002', 'v2:9003']);
  });

  it('when accounts are exported as JSON and CSV, then every live account is there in the documented shape', async () => {
    const live = Number((await t.knex('accounts').where({ is_deleted: false }).count({ n: '*' }))[0].n);
    const jsonFile = path.join(dir, 'out.json');
    const out = fs.createWriteStream(jsonFile);
    expect(await exportAccounts(t.knex, caller, 'json', out, false)).toBe(live);
    out.end();
    await new Promise<void>((r) => out.on('finish', () => r()));
    const parsed = JSON.parse(fs.readFileSync(jsonFile, 'utf8'));
    expect(parsed).toHaveLength(live);
    expect(parsed[0].company.code).toBe('ACM');

    const csvFile = path.join(dir, 'out.csv');
    const csvOut = fs.createWriteStream(csvFile);
    // Listen before exporting: the export ends csvOut itself, and 'finish' may come before it returns.
    const csvFinished = new Promise<void>((r) => csvOut.on('finish', () => r()));
    expect(await exportAccounts(t.knex, caller, 'csv', csvOut, false)).toBe(live);
    await csvFinished;
    const csvLines = fs.readFileSync(csvFile, 'utf8').trim().split('\n');
    expect(csvLines[0].split(',')).toEqual(expect.arrayContaining(['id', 'name', 'company_id', 'external_id', 'custom_fields.field_1']));
    expect(csvLines.length).toBe(live + 1);
  });
});
