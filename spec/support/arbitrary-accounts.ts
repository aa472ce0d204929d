import fc from 'fast-check';
import { Knex } from 'knex';
import { ACCOUNT_FIELDS } from '../../src/domain/accounts/fields';
import { ScalarType } from '../../src/query/catalogue';

/**
 * Stored accounts with values no request could send (any text, any timestamp), for the property
 * specs of what PostgreSQL writes for lists and exports (src/domain/accounts/record-sql.ts).
 */

/** Text that could confuse a splice or a CSV: member separators, quotes, escapes, line breaks, commas. */
const text = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom(',"tags":', '","company":{', '\\', '"', '\n\t\u0001\u001f', '\r', 'a,b', ' lead', '=1+2', '\u2028\u2029', '{"a": 1}', ''),
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

export const account: fc.Arbitrary<Record<string, unknown>> = fc.record({
  ...Object.fromEntries(WRITTEN.map((f) => [f.name, f.nullable ? value[f.type] : value[f.type].filter((v) => v !== null)])),
  status: fc.constantFrom('open', 'closed'),
  // Keys and values as openapi.yaml allows them (every response is checked against it).
  custom_fields: fc.dictionary(
    fc.constantFrom('field_1', 'field_2', 'field_3', 'field_77'),
    // Doubles without an exponent: jsonb prints 1e-7 as 0.0000001, the same number in other digits.
    fc.oneof(text, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !/e/i.test(String(x))), fc.boolean(), fc.constant(null)),
    { maxKeys: 4 },
  ),
});

let seq = 0;
/** Inserts the accounts into organisation 1, company 1; their ids in order. */
export async function insertAccounts(knex: Knex, accounts: Record<string, unknown>[]): Promise<number[]> {
  // external_id and import_id are unique per organisation: a counter keeps the generated ones apart.
  const unique = (v: unknown) => (v === null ? null : `${++seq}${v as string}`);
  const rows = accounts.map((a) => ({ ...a, org_id: 1, company_id: 1, external_id: unique(a.external_id), import_id: unique(a.import_id), custom_fields: JSON.stringify(a.custom_fields) }));
  return (await knex('accounts').insert(rows).returning('id')).map((r: { id: number }) => r.id);
}
