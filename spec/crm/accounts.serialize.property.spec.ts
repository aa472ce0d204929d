import fc from 'fast-check';
import { ACCOUNT_FIELDS } from '../../src/domain/accounts/fields';
import { AccountRow } from '../../src/domain/accounts/repo';
import { accountListJson, serializeAccount, SerializeContext } from '../../src/dialects/v2/accounts/serialize';
import { ScalarType } from '../../src/query/catalogue';

const value: Record<ScalarType, fc.Arbitrary<unknown>> = {
  string: fc.option(fc.string({ unit: 'binary' }), { nil: null }),
  integer: fc.option(fc.integer(), { nil: null }),
  decimal: fc.option(fc.double({ noNaN: true, noDefaultInfinity: true }), { nil: null }),
  boolean: fc.boolean(),
  date: fc.option(fc.date({ min: new Date('1900-01-01'), max: new Date('2999-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)), { nil: null }),
  datetime: fc.date({ min: new Date('1970-01-01'), max: new Date('2999-12-31'), noInvalidDate: true }),
};

const row = fc.record(Object.fromEntries(ACCOUNT_FIELDS.map((f) => [f.name, value[f.type]]))).chain((cols) =>
  fc.record({
    custom_fields: fc.dictionary(fc.string({ unit: 'binary' }), fc.jsonValue()),
    company_id: fc.constantFrom(1, 2, 99),
  }).map((extra) => ({ ...cols, ...extra, id: (cols.id as number | null) ?? 1, org_id: 1, version: 1 }) as unknown as AccountRow),
);

const ctx = (id: number): SerializeContext => ({
  companies: new Map([
    [1, { id: 1, code: 'ACM', name: 'Acme "Corp"', settings: { locale: 'en_GB' }, bank_details: null, registration_numbers: null, currency_code: 'GBP', account_id: null, currency: { code: 'GBP', name: 'Pound', symbol: '£', html_code: null, id: 1, is_base: true } }],
    [2, { id: 2, code: 'GLX', name: 'Globex\u2028', settings: null, bank_details: 'x', registration_numbers: 'y', currency_code: 'EUR', account_id: 5, currency: { code: 'EUR', name: 'Euro', symbol: '€', html_code: '&euro;', id: 2, is_base: false } }],
  ]),
  related: {
    industries: new Map([[id, [{ id: 3, name: 'Retail\n' }]]]),
    tags: new Map([[id, ['vip', 'ünïcödé']]]),
    assignees: new Map([[id, [2, 7]]]),
    teams: new Map(),
  },
});

describe('account list serialization', () => {
  it('when any row is written as JSON text, then it is byte for byte JSON.stringify of the object form', () => {
    fc.assert(
      fc.property(row, fc.boolean(), (r, withRelated) => {
        const c = withRelated ? ctx(r.id) : { ...ctx(-1) };
        expect(accountListJson(r, c)).toBe(JSON.stringify(serializeAccount(r, c)));
      }),
      { numRuns: 300 },
    );
  });
});
