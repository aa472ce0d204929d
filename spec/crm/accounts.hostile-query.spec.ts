import fc from 'fast-check';
import { makeTestApp, TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
  await t.as().post('/api/v2/meta/crm/accounts/custom_fields').send({ type: 'integer', label: 'Seats' });
  for (const name of ['Acme', "O'Brien & Sons", 'Ünïcödé', '100% Real_Deal']) {
    await t.as().post('/api/v2/crm/accounts').send({ name, company_id: 1, custom_fields: { field_1: name.length } });
  }
});
afterAll(() => t.close());

const KEYS = ['name', 'name__ct', 'name__in', 'name__lk', 'id__gt', 'id__in', 'created__gt', 'is_customer', 'customer_since__lt',
  'custom_fields.field_1__eq', 'custom_fields.field_1__gt', 'custom_fields.field_1__in', '_order', '_limit', '_page', 'tel__isnull', 'nmae', '_zz'];
const VALUES = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.constantFrom("'; DELETE FROM accounts; --", "' OR '1'='1", '%', '_', '\\', '%00', '1;SELECT pg_sleep(1)', '-id', 'name,-name', '2147483648', '0', '-1', '1e3'),
  fc.string({ minLength: 900, maxLength: 1200 }),
);

describe('hostile query strings over HTTP', () => {
  it('when random and hostile query strings are sent, then never a 500 and the data never changes', async () => {
    const before = await t.knex('accounts').select('id', 'name', 'updated').orderBy('id');
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom(...KEYS), VALUES), { minLength: 1, maxLength: 4 }), async (pairs) => {
        const qs = pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
        const res = await t.as().get(`/api/v2/crm/accounts?${qs}`);
        expect([200, 400]).toContain(res.status);
        if (res.status === 400) expect(res.body.error.details[0].field).toBeTruthy();
        else expect(Array.isArray(res.body)).toBe(true);
      }),
      { numRuns: 250 },
    );
    // Raw, unencoded oddities that a broken client might send.
    for (const raw of ['name=%', 'name=%zz', '=x', '&&&', 'name__in=a,,b', 'a[b]=c', 'name=a&name=b']) {
      const res = await t.as().get(`/api/v2/crm/accounts?${raw}`);
      expect([200, 400]).toContain(res.status);
    }
    expect(await t.knex('accounts').select('id', 'name', 'updated').orderBy('id')).toEqual(before);
  });
});
