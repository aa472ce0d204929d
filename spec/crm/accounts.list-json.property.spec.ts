import fc from 'fast-check';
import { AccountRepo, AccountRow } from '../../src/domain/accounts/repo';
import { serializeAccount } from '../../src/dialects/v2/accounts/serialize';
import { loadCompanies } from '../../src/orgs/companies';
import { makeTestApp, TestApp } from '../support/test-app';
import { account, insertAccounts } from '../support/arbitrary-accounts';

jest.setTimeout(120000);

/**
 * List items are written by PostgreSQL (src/domain/accounts/record-sql.ts) with the related sets and
 * company spliced in by Node. Oracle: the plain record (serializeAccount, as a single read and the
 * Django-CRM dialect make it) of the same rows read as objects. Rows are stored directly, with values no request could send (any text, any timestamp),
 * and read back through GET /api/v2/crm/accounts.
 */
let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
  await t.as().post('/api/v2/crm/industries').send({ name: 'Retail' }).expect(200);
  const r = await t.as().post('/api/v2/crm/accounts').send({ name: 'related', company_id: 1, tags: ['vip', 'a"b'], industries: ['Retail'], assigned_to: [1] });
  expect(r.body).toMatchObject({ name: 'related' });
});
afterAll(() => t.close());

it('when accounts hold any values, then each list item is the same JSON as the plain record of the row', async () => {
  const repo = new AccountRepo(t.knex);
  const companies = await loadCompanies(t.knex, 1);
  const [related] = await t.knex('accounts').where({ org_id: 1, name: 'related' }).select('id');
  await fc.assert(
    fc.asyncProperty(fc.array(account, { minLength: 1, maxLength: 4 }), async (accounts) => {
      const ids = await insertAccounts(t.knex, accounts);
      ids.push(related.id);
      const stored: AccountRow[] = await t.knex('accounts').whereIn('id', ids).orderBy('id').select('*');
      const rel = await repo.related(1, ids);
      const expected = stored.map((row) => JSON.parse(JSON.stringify(serializeAccount(row, { companies, related: rel }))));
      // In id order the item text is joined LATERAL; in any other order it is a subquery of the select list.
      const list = (order: string) => t.as().get(`/api/v2/crm/accounts?id__in=${ids.join(',')}&is_deleted__in=true,false&_order=${order}`).expect(200);
      expect((await list('id')).body).toEqual(expected);
      expect((await list('-id')).body).toEqual([...expected].reverse());
    }),
    { numRuns: 40 },
  );
});
