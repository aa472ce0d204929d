import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importAccounts, exportAccounts } from '../../src/cli/accounts-transfer';
import { Caller } from '../../src/auth/basic';
import { makeTestApp, TestApp } from '../support/test-app';
import { ImportFileError } from '../../src/domain/accounts/import-file';

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
  it('when a 300-row CSV is imported twice, then the second run changes nothing and duplicates nothing, with exact counts', async () => {
    const file = path.join(dir, 'accounts.csv');
    const lines = ['external_id,name,company_id,is_customer,tel,customer_since,custom_fields.field_1'];
    for (let i = 0; i < 300; i++) lines.push(`CSV-${i},"Import ${i}, Ltd",1,${i % 2 ? 'true' : 'false'},${i},2020-01-0${(i % 9) + 1},${i % 100}`);
    // Three bad rows: no name, a bad boolean, an unknown company.
    lines.push('CSV-bad-1,,1,true,1,,');
    lines.push('CSV-bad-2,Bad bool,1,maybe,1,,');
    lines.push('CSV-bad-3,Bad company,999,true,1,,');
    fs.writeFileSync(file, lines.join('\n') + '\n');

    const first = await importAccounts(t.knex, caller, file, 'csv');
    expect(first).toMatchObject({ total: 303, created: 300, updated: 0, unchanged: 0, failed: 3 });
    expect(first.failures.map((f) => [f.line, f.errors![0].field])).toEqual([
      [302, 'name'],
      [303, 'is_customer'],
      [304, 'company_id'],
    ]);

    const second = await importAccounts(t.knex, caller, file, 'csv');
    expect(second).toMatchObject({ total: 303, created: 0, updated: 0, unchanged: 300, failed: 3 });
    expect(await t.knex('accounts').where('external_id', 'like', 'CSV-%').count({ n: '*' })).toEqual([{ n: 300 }]);

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
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 3, failed: 0 });
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
    expect(await exportAccounts(t.knex, caller, 'csv', csvOut, false)).toBe(live);
    csvOut.end();
    await new Promise<void>((r) => csvOut.on('finish', () => r()));
    const csvLines = fs.readFileSync(csvFile, 'utf8').trim().split('\n');
    expect(csvLines[0].split(',')).toEqual(expect.arrayContaining(['id', 'name', 'company_id', 'external_id', 'custom_fields.field_1']));
    expect(csvLines.length).toBe(live + 1);
  });

  it('when a row has several bad fields, then its failure names the line and every field error', async () => {
    const file = path.join(dir, 'bad.csv');
    fs.writeFileSync(file, 'external_id,name,company_id,is_customer,custom_fields.field_1\nBAD-1,Bad,999,maybe,many\nBAD-2,Good,1,true,3\n');
    const s = await importAccounts(t.knex, caller, file, 'csv');
    expect(s).toMatchObject({ total: 2, created: 1, failed: 1 });
    expect(s.failures[0].line).toBe(2);
    expect(s.failures[0].errors!.map((e) => e.field).sort()).toEqual(['company_id', 'custom_fields.field_1', 'is_customer']);
  });

  it('when the database refuses one record of a batch, then the batch is redone record by record and only that record fails', async () => {
    // An external_id that the importing user cannot see: it does not match, and its insert hits the unique index.
    await t.as().post('/api/v2/crm/accounts').send({ name: 'Hidden', company_id: 1, external_id: 'HIDDEN-1' });
    const user = await t.addUser();
    const userId = (await t.knex('users').where({ email: user.email }).first()).id;
    const file = path.join(dir, 'collide.csv');
    fs.writeFileSync(file, 'external_id,name,company_id\nMINE-1,Mine 1,1\nHIDDEN-1,Not mine,1\nMINE-2,Mine 2,1\n');
    const s = await importAccounts(t.knex, { id: userId, orgId: 1, role: 'user', email: user.email }, file, 'csv');
    expect(s).toMatchObject({ created: 2, failed: 1 });
    expect(s.failures[0]).toEqual({ line: 3, result: 'failed', errors: [{ field: '(record)', message: 'a record with the same unique value already exists' }] });
    expect((await t.knex('accounts').where({ external_id: 'HIDDEN-1' }).first()).name).toBe('Hidden');
    expect(await t.knex('accounts').whereIn('external_id', ['MINE-1', 'MINE-2']).where({ created_by: userId })).toHaveLength(2);
  });

  it('when an import creates, changes and repeats an account, then its history has the create and the change, as the API records them', async () => {
    const file = path.join(dir, 'history.json');
    const write = (tel: string, tags: string[]) => fs.writeFileSync(file, JSON.stringify([{ external_id: 'HIST-1', name: 'History', company_id: 1, tel, tags }]));
    write('1', ['b', 'a']);
    await importAccounts(t.knex, caller, file, 'json');
    write('2', ['a']);
    expect(await importAccounts(t.knex, caller, file, 'json')).toMatchObject({ updated: 1 });
    write('2', ['a']);
    expect(await importAccounts(t.knex, caller, file, 'json')).toMatchObject({ unchanged: 1 });
    const { id } = (await t.as().get('/api/v2/crm/accounts/external_id/HIST-1')).body;
    const history = (await t.as().get(`/api/v2/crm/accounts/${id}/history`)).body;
    expect(history.map((h: { action: string; version: number }) => [h.action, h.version])).toEqual([['create', 1], ['update', 2]]);
    expect(history[0].changes).toMatchObject({ name: { old: null, new: 'History' }, tel: { old: null, new: '1' }, tags: { old: [], new: ['a', 'b'] } });
    expect(history[1].changes).toEqual({ tel: { old: '1', new: '2' }, tags: { old: ['a', 'b'], new: ['a'] } });
  });

  it('when --dry-run is used, then every record is checked and counted and nothing is written', async () => {
    const file = path.join(dir, 'dry.csv');
    fs.writeFileSync(file, 'external_id,name,company_id\nDRY-1,Dry one,1\nDRY-2,,1\n');
    const before = await t.knex('account_imports').count({ n: '*' });
    const s = await importAccounts(t.knex, caller, file, 'csv', { dryRun: true });
    expect(s).toMatchObject({ dryRun: true, total: 2, created: 1, failed: 1 });
    expect(await t.knex('accounts').where('external_id', 'like', 'DRY-%')).toHaveLength(0);
    expect(await t.knex('account_imports').count({ n: '*' })).toEqual(before);
  });

  it('when an identical file is imported again, then an incremental sync from before the re-run returns zero records', async () => {
    const file = path.join(dir, 'sync.csv');
    fs.writeFileSync(file, ['external_id,name,company_id,tel,custom_fields.field_1', ...[1, 2, 3].map((i) => `SYNC-${i},Sync ${i},1,${i},${i}`)].join('\n'));
    await importAccounts(t.knex, caller, file, 'csv');
    const [last] = (await t.as().get('/api/v2/crm/accounts?_order=-updated&_limit=1&is_deleted__in=true,false')).body;
    const historyRows = await t.knex('account_history').count({ n: '*' });
    const again = await importAccounts(t.knex, caller, file, 'csv');
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 3 });
    const sync = await t.as().get(`/api/v2/crm/accounts?updated__gt=${last.updated}&_order=updated,id&is_deleted__in=true,false`);
    expect(sync.body).toEqual([]);
    expect(await t.knex('account_history').count({ n: '*' })).toEqual(historyRows);
  });

  it('when a finished file has records without external_id or import_id, then a second run is refused unless duplicates are allowed', async () => {
    const file = path.join(dir, 'unkeyed.csv');
    fs.writeFileSync(file, 'name,company_id\nNo key 1,1\nNo key 2,1\n');
    expect(await importAccounts(t.knex, caller, file, 'csv')).toMatchObject({ created: 2, unkeyed: 2 });
    await expect(importAccounts(t.knex, caller, file, 'csv')).rejects.toThrow(ImportFileError);
    await expect(importAccounts(t.knex, caller, file, 'csv')).rejects.toThrow(/--allow-duplicates/);
    expect(await t.knex('accounts').where('name', 'like', 'No key %')).toHaveLength(2);
    expect(await importAccounts(t.knex, caller, file, 'csv', { allowDuplicates: true })).toMatchObject({ created: 2 });
    expect(await t.knex('accounts').where('name', 'like', 'No key %')).toHaveLength(4);
  });

  it('when an import stopped after a committed batch is run again, then it resumes after that batch and nothing is created twice', async () => {
    const file = path.join(dir, 'resume.csv');
    fs.writeFileSync(file, ['name,company_id', ...Array.from({ length: 10 }, (_, i) => `Resume ${i},1`)].join('\n'));
    // The first run stops (as a kill would) once its second batch of 3 has committed.
    let batches = 0;
    const stop = new Error('stopped');
    await expect(
      importAccounts(t.knex, caller, file, 'csv', {
        batchSize: 3,
        onProgress: () => {
          if (++batches === 2) throw stop;
        },
      }),
    ).rejects.toBe(stop);
    const resumed = await importAccounts(t.knex, caller, file, 'csv', { batchSize: 3 });
    expect(resumed).toMatchObject({ resumedAfter: 6, total: 10, created: 10 });
    expect(await t.knex('accounts').where('name', 'like', 'Resume %')).toHaveLength(10);
  });
});

describe('a JSON export re-imported into an empty database', () => {
  it('when every account is exported and imported into a new database, then each comes back with every field, custom fields and relations by name', async () => {
    // Users and teams are named by id: the admin (id 1 in every database made from the template) and the first team.
    const user = { id: caller.id };
    await t.as().post('/api/v2/crm/industries').send({ name: 'Retail' });
    const team = (await t.as().post('/api/v2/crm/teams').send({ name: 'North' })).body.id;
    const rich = await t.as().post('/api/v2/crm/accounts').send({
      name: 'Rich', company_id: 1, import_id: 'SRC-RICH', external_id: 'RICH-1', tel: '1', email: 'rich@example.com', is_customer: true, is_supplier: true,
      no_publicity: false, default_approver: 3, customer_since: '2019-12-31', status: 'closed', notes: 'multi\nline, "quoted"',
      custom_fields: { field_1: 42 }, tags: ['vip', 'north'], industries: ['Retail'], teams: [team], assigned_to: [user.id],
    });
    expect(rich.status).toBe(200);
    await t.as().delete(`/api/v2/crm/accounts/${(await t.as().post('/api/v2/crm/accounts').send({ name: 'Gone', company_id: 1, import_id: 'SRC-GONE' })).body.id}`);

    const file = path.join(dir, 'roundtrip.json');
    const out = fs.createWriteStream(file);
    const n = await exportAccounts(t.knex, caller, 'json', out, true);
    out.end();
    await new Promise<void>((r) => out.on('finish', () => r()));

    const u = await makeTestApp();
    try {
      // What the accounts refer to must exist in the new database: the custom field, the industry and the team.
      await u.as().post('/api/v2/meta/crm/accounts/custom_fields').send({ type: 'integer', label: 'Seats' });
      await u.as().post('/api/v2/crm/industries').send({ name: 'Retail' });
      expect((await u.as().post('/api/v2/crm/teams').send({ name: 'North' })).body.id).toBe(team);
      const s = await importAccounts(u.knex, caller, file, 'json');
      expect(s.failures).toEqual([]);
      expect(s).toMatchObject({ total: n, created: n, failed: 0 });

      const source = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>[];
      const target = (await u.as().get('/api/v2/crm/accounts?_order=id&is_deleted__in=true,false')).body as Record<string, unknown>[];
      expect(target).toHaveLength(n);
      const strip = (a: Record<string, unknown>) => {
        const { id: _id, created: _c, updated: _u, import_id: _i, industries, ...rest } = a;
        return { ...rest, industries: (industries as { name: string }[]).map((i) => i.name) };
      };
      const byName = new Map(target.map((a) => [`${a.name}|${a.external_id}|${a.import_id}`, a]));
      for (const a of source) {
        // A record with neither import_id nor external_id is known in the new database by its old id (documented).
        const importId = a.import_id ?? (a.external_id === null ? `v2:${a.id}` : null);
        const b = byName.get(`${a.name}|${a.external_id}|${importId}`);
        expect(b).toBeDefined();
        expect(strip(b!)).toEqual(strip(a));
      }
      const r = target.find((a) => a.name === 'Rich')!;
      expect(r).toMatchObject({ import_id: 'SRC-RICH', tags: ['north', 'vip'], teams: [team], assigned_to: [user.id], custom_fields: { field_1: 42 } });
      expect(target.find((a) => a.name === 'Gone')).toMatchObject({ is_deleted: true });
    } finally {
      await u.close();
    }
  });

  it('when a JSON export is re-imported into its own database, then every account is matched and nothing changes', async () => {
    const file = path.join(dir, 'self.json');
    const out = fs.createWriteStream(file);
    const n = await exportAccounts(t.knex, caller, 'json', out, false);
    out.end();
    await new Promise<void>((r) => out.on('finish', () => r()));
    const keyed = (JSON.parse(fs.readFileSync(file, 'utf8')) as { external_id: string | null; import_id: string | null }[]).filter((a) => a.external_id || a.import_id).length;
    const s = await importAccounts(t.knex, caller, file, 'json');
    expect(s).toMatchObject({ total: n, unchanged: keyed, updated: 0, failed: 0 });
  });
});
