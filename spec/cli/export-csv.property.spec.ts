import fc from 'fast-check';
import { PassThrough } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import { exportAccounts } from '../../src/cli/accounts-transfer';
import { Caller } from '../../src/auth/basic';
import { ACCOUNT_FIELDS } from '../../src/domain/accounts/fields';
import { AccountRepo, AccountRow } from '../../src/domain/accounts/repo';
import { accountRecord } from '../../src/domain/accounts/record';
import { loadCompanies } from '../../src/orgs/companies';
import { makeTestApp, TestApp } from '../support/test-app';
import { account, insertAccounts } from '../support/arbitrary-accounts';

jest.setTimeout(120000);

/**
 * The CSV export's records are written by PostgreSQL (record-sql.ts csvLineColumn). Oracle: what the
 * export wrote before, csv-stringify over the plain record of each row, byte for byte.
 */
let t: TestApp;
const caller: Caller = { id: 1, orgId: 1, role: 'admin', email: 'admin@example.com' };
beforeAll(async () => {
  t = await makeTestApp();
  for (const key of ['field_1', 'field_2', 'field_3']) {
    await t.as().post('/api/v2/meta/crm/accounts/custom_fields').send({ key, type: 'string', label: key }).expect(201);
  }
});
afterAll(() => t.close());

async function exported(): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await exportAccounts(t.knex, caller, 'csv', out, true);
  out.end();
  return Buffer.concat(chunks).toString('utf8');
}

function oracle(rows: AccountRow[], ctx: Parameters<typeof accountRecord>[1], customKeys: string[]): string {
  const lead = ['id', 'company_id', 'name'];
  const columns = [...lead, ...ACCOUNT_FIELDS.map((f) => f.name).filter((n) => !lead.includes(n)), ...customKeys.map((k) => `custom_fields.${k}`)];
  const cells = rows.map((row) => {
    const a = accountRecord(row, ctx);
    const custom = a.custom_fields as Record<string, unknown>;
    return columns.map((c) => (c === 'company_id' ? row.company_id : c.startsWith('custom_fields.') ? custom[c.slice(14)] : a[c]) ?? '');
  });
  return stringify([columns]) + stringify(cells, { cast: { boolean: (v: boolean) => (v ? 'true' : 'false') } });
}


it('when accounts hold any values, then each CSV record has the cells the Node writer gave', async () => {
  const repo = new AccountRepo(t.knex);
  const companies = await loadCompanies(t.knex, 1);
  await fc.assert(
    fc.asyncProperty(fc.array(account, { minLength: 1, maxLength: 4 }), async (accounts) => {
      await insertAccounts(t.knex, accounts);
      const rows: AccountRow[] = await t.knex('accounts').where('org_id', 1).orderBy('id').select('*');
      const related = await repo.related(1, rows.map((r) => r.id));
      expect(await exported()).toBe(oracle(rows, { companies, related }, ['field_1', 'field_2', 'field_3']));
    }),
    { numRuns: 25 },
  );
});
