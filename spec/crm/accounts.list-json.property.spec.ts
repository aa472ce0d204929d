import fc from 'fast-check';
import { ACCOUNT_FIELDS } from '../../src/domain/accounts/fields';
import { AccountRepo, AccountRow } from '../../src/domain/accounts/repo';
import { accountListJson } from '../../src/dialects/v2/accounts/serialize';
import { loadCompanies } from '../../src/orgs/companies';
import { ScalarType } from '../../src/query/catalogue';
import { makeTestApp, TestApp } from '../support/test-app';

jest.setTimeout(120000);

/**
 * List items are written by PostgreSQL (src/domain/accounts/record-sql.ts) with the related sets and
 * company spliced in by Node. Oracle: the Node writer (accountListJson) over the same rows read as
 * objects. Rows are stored directly, with values no request could send (any text, any timestamp),
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

/** Text that could confuse the splice: member separators, quotes, escapes, control characters. */
const text = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom(',"tags":', '","company":{', '\\', '"', '\n\t\u0001\u001f', '\u2028\u2029', '{"a": 1}', ''),
);
const value: Record<ScalarType, fc.Arbitrary<unknown>> = {
  string: fc.option(text, { nil: null }),
  integer: fc.option(fc.integer(), { nil: null }),
  decimal: fc.option(fc.integer(), { nil: null }),
  boolean: fc.boolean(),
  date: fc.option(fc.date({ min: new Date('1900-01-01'), max: new Date('2999-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)), { nil: null }),
  datetime: fc.date({ min: new Date('1970-01-01'), max: new Date('2999-12-31'), noInvalidDate: true }),
};
const WRITTEN = ACCOUNT_FIELDS.filter((f) => !['id', 'company_id'].includes(f.name));
const account: fc.Arbitrary<Record<string, unknown>> = fc.record({
  ...Object.fromEntries(WRITTEN.map((f) => [f.name, f.nullable ? value[f.type] : value[f.type].filter((v) => v !== null)])),
  status: fc.constantFrom('open', 'closed'),
  // Keys and values as openapi.yaml allows them (every response is checked against it).
  custom_fields: fc.dictionary(
    fc.nat(999).map((n) => `field_${n}`),
    fc.oneof(text, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null)),
    { maxKeys: 4 },
  ),
});

it('when accounts hold any values, then each list item is the same JSON as the Node writer makes of the row', async () => {
  const repo = new AccountRepo(t.knex);
  const companies = await loadCompanies(t.knex, 1);
  let seq = 0;
  const [related] = await t.knex('accounts').where({ org_id: 1, name: 'related' }).select('id');
  await fc.assert(
    fc.asyncProperty(fc.array(account, { minLength: 1, maxLength: 4 }), async (accounts) => {
      // external_id and import_id are unique per organisation: a counter keeps the generated ones apart.
      const unique = (v: unknown) => (v === null ? null : `${++seq}${v as string}`);
      const rows = accounts.map((a) => ({ ...a, org_id: 1, company_id: 1, external_id: unique(a.external_id), import_id: unique(a.import_id), custom_fields: JSON.stringify(a.custom_fields) }));
      const ids: number[] = (await t.knex('accounts').insert(rows).returning('id')).map((r: { id: number }) => r.id);
      ids.push(related.id);
      const stored: AccountRow[] = await t.knex('accounts').whereIn('id', ids).orderBy('id').select('*');
      const rel = await repo.related(1, ids);
      const expected = stored.map((row) => JSON.parse(accountListJson(row, { companies, related: rel })));
      // In id order the item text is joined LATERAL; in any other order it is a subquery of the select list.
      const list = (order: string) => t.as().get(`/api/v2/crm/accounts?id__in=${ids.join(',')}&is_deleted__in=true,false&_order=${order}`).expect(200);
      expect((await list('id')).body).toEqual(expected);
      expect((await list('-id')).body).toEqual([...expected].reverse());
    }),
    { numRuns: 40 },
  );
});
