import fc from 'fast-check';
import querystring from 'node:querystring';
import { DomainError } from '../../src/core/errors';
import { parseListQuery, printListQuery, ParseContext } from '../../src/query/parse';
import { quoteListItem, splitList } from '../../src/core/values';
import { accountCatalogue } from '../../src/domain/accounts/fields';
import { CustomFieldDefinition } from '../../src/query/catalogue';

const customFields = new Map<string, CustomFieldDefinition>([
  ['field_1', { key: 'field_1', type: 'integer', label: 'Seats' }],
  ['field_2', { key: 'field_2', type: 'string', label: 'Region' }],
  ['field_3', { key: 'field_3', type: 'boolean', label: 'VIP' }],
  ['field_4', { key: 'field_4', type: 'date', label: 'Since' }],
  ['field_5', { key: 'field_5', type: 'decimal', label: 'Rate' }],
]);
const ctx: ParseContext = { catalogue: accountCatalogue, customFields, maxLimit: 10000 };

const OPS = ['', '__eq', '__ne', '__lt', '__le', '__lte', '__gt', '__ge', '__gte', '__in', '__notin', '__ni', '__ct', '__sw', '__ew', '__lk', '__nl', '__isnull', '__bogus'];
const NAMES = [...accountCatalogue.fields.map((f) => f.name), ...[...customFields.keys()].map((k) => `custom_fields.${k}`), 'nope', '_order', '_limit', '_page', '_', '_x', ''];
const hostile = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom("'; DROP TABLE accounts; --", '" OR 1=1 --', '\\', '%', '_', '%_\\', '\u0000', '$1', '?', '??', ',,,', '"a,b",c', '\\,', '1e309', '-0', '2026-02-30', 'NaN', 'true'),
  fc.string({ maxLength: 3000 }),
  fc.integer().map(String),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
);
const param = fc.tuple(fc.constantFrom(...NAMES), fc.constantFrom(...OPS)).map(([n, o]) => (n.startsWith('_') || n === '' ? n : n + o));
const queryObject = fc.dictionary(param, fc.oneof(hostile, fc.array(hostile, { minLength: 2, maxLength: 3 })), { maxKeys: 6 });

describe('parseListQuery properties', () => {
  it('when given any query (hostile values, repeated and unknown params), then it returns or throws an invalid-input domain error naming a parameter (a 400 at the edge), nothing else', () => {
    fc.assert(
      fc.property(fc.oneof(queryObject, fc.dictionary(fc.string(), fc.string())), (query) => {
        try {
          parseListQuery(query, ctx);
        } catch (e) {
          expect(e).toBeInstanceOf(DomainError);
          expect((e as DomainError).kind).toBe('invalid');
          expect((e as DomainError).details?.[0].field).toBeTruthy();
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('when a query parses, then print → parse gives the same canonical form', () => {
    fc.assert(
      fc.property(queryObject, (query) => {
        let q;
        try {
          q = parseListQuery(query, ctx);
        } catch {
          return;
        }
        const printed = printListQuery(q);
        const again = parseListQuery(querystring.parse(printed) as Record<string, unknown>, ctx);
        expect(printListQuery(again)).toBe(printed);
        const values = (x: typeof q) => x.filters.map((f) => JSON.stringify([f.param.split('__')[0], f.op, f.value])).sort();
        expect(values(again)).toEqual(values(q));
      }),
      { numRuns: 3000 },
    );
  });

  it('when list items are quoted and joined, then splitList gives them back exactly', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme' }), { minLength: 1, maxLength: 8 }), (items) => {
        expect(splitList(items.map(quoteListItem).join(','))).toEqual(items);
      }),
      { numRuns: 3000 },
    );
  });

  it('when a backslash escapes a comma, then the comma stays inside the item', () => {
    expect(splitList('Smith\\, John,Acme')).toEqual(['Smith, John', 'Acme']);
    expect(splitList('"Smith, John",Acme')).toEqual(['Smith, John', 'Acme']);
    expect(splitList('"say ""hi""",x')).toEqual(['say "hi"', 'x']);
    expect(splitList('a\\\\,b')).toEqual(['a\\', 'b']);
    expect(splitList('"open')).toEqual({ error: 'has an unclosed double quote' });
    expect(splitList('trailing\\')).toEqual({ error: 'ends with a lone backslash' });
  });
});
