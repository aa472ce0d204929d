import { CATALOGUES } from '../../src/catalogue';
import { accountCatalogue, RELATION_FIELDS } from '../../src/domain/accounts/fields';
import { loadOpenApi } from '../../src/openapi/document';
import { Catalogue, FieldDef, isSerialized, isStored, isWritable, sourceOf, wireKeys } from '../../src/query/catalogue';
import { makeTestApp, TestApp } from '../support/test-app';

/**
 * Every registered catalogue (src/catalogue) agrees, field by field, with openapi.yaml and with the
 * migrated database: a field cannot be added, renamed or retyped in one place and not the others.
 */

type Schema = Record<string, unknown>;
const { doc } = loadOpenApi();
const schemas = doc.components.schemas as Record<string, Schema>;

const capitalised = (s: string) => s[0].toUpperCase() + s.slice(1);
function schemaNames(c: Catalogue) {
  const base = capitalised(c.resource);
  return { record: `${base}`, list: `${base}ListItem`, create: `${base}Create`, update: `${base}Update`, ...c.openapi };
}

/** A schema's properties, following $ref and allOf within components. */
function propertiesOf(name: string): Map<string, Schema> {
  const out = new Map<string, Schema>();
  const visit = (s: Schema | undefined) => {
    if (!s) return;
    if (typeof s.$ref === 'string') visit(schemas[s.$ref.split('/').pop()!]);
    for (const sub of (s.allOf as Schema[] | undefined) ?? []) visit(sub);
    for (const [k, p] of Object.entries((s.properties as Record<string, Schema> | undefined) ?? {})) out.set(k, p);
  };
  visit(schemas[name]);
  return out;
}

const typesOf = (p: Schema): string[] => (p.type === undefined ? [] : Array.isArray(p.type) ? (p.type as string[]) : [p.type as string]);

/** The JSON types a catalogue field may have on the wire (null aside). */
const JSON_TYPES: Record<string, string[]> = {
  integer: ['integer'], decimal: ['number', 'string'], boolean: ['boolean'], string: ['string'], date: ['string'], datetime: ['string'],
};

/** Disagreements between one field and its openapi property, as sentences (none when they agree). */
function propertyProblems(f: FieldDef, p: Schema | undefined, where: string): string[] {
  if (!p) return [`${f.name}: missing from ${where}`];
  const source = sourceOf(f);
  if (source === 'derived') return [];
  if (source === 'custom') return p.$ref === '#/components/schemas/CustomFieldValues' ? [] : [`${f.name}: ${where} does not use CustomFieldValues`];
  // A property that names a shared schema (`total: $ref Amount`) is checked as that schema.
  if (typeof p.$ref === 'string') p = schemas[p.$ref.split('/').pop()!] ?? p;
  const types = typesOf(p);
  if (source === 'relation') return types.includes('array') ? [] : [`${f.name}: a relation, but ${where} says ${types.join('|')}`];
  const out: string[] = [];
  const nonNull = types.filter((t) => t !== 'null');
  if (!nonNull.every((t) => JSON_TYPES[f.type].includes(t)) || nonNull.length === 0) out.push(`${f.name}: ${f.type} in the catalogue, ${types.join('|')} in ${where}`);
  if (types.includes('null') !== f.nullable) out.push(`${f.name}: ${f.nullable ? 'nullable' : 'not nullable'} in the catalogue, not so in ${where}`);
  if (f.type === 'date' && p.format !== 'date') out.push(`${f.name}: a date, but ${where} has no format: date`);
  return out;
}

/** The column types a catalogue type may be stored in (information_schema.columns.data_type). */
const COLUMN_TYPES: Record<string, string[]> = {
  integer: ['integer', 'bigint', 'smallint'], decimal: ['numeric'], boolean: ['boolean'], string: ['text', 'character varying'],
  date: ['date'], datetime: ['timestamp with time zone'],
};

let t: TestApp;
let columns: Map<string, Map<string, { type: string; nullable: boolean }>>;
beforeAll(async () => {
  t = await makeTestApp();
  const rows = (
    await t.knex.raw(`SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = current_schema()`)
  ).rows as { table_name: string; column_name: string; data_type: string; is_nullable: string }[];
  columns = new Map();
  for (const r of rows) {
    if (!columns.has(r.table_name)) columns.set(r.table_name, new Map());
    columns.get(r.table_name)!.set(r.column_name, { type: r.data_type, nullable: r.is_nullable === 'YES' });
  }
});
afterAll(() => t.close());

describe.each(CATALOGUES.map((c) => [c.resource, c] as const))('the %s catalogue', (_resource, c) => {
  const names = schemaNames(c);

  it('when its wire keys are compared with the openapi record schema, then they are the same keys in the same order', () => {
    expect(wireKeys(c)).toEqual(schemas[names.record].required);
  });

  it('when its list keys are compared with the openapi list-item schema (if it has one), then they agree too', () => {
    const list = schemas[names.list];
    expect(list === undefined ? wireKeys(c, { list: true }) : list.required).toEqual(wireKeys(c, { list: true }));
  });

  it('when each shown field is compared with its openapi property, then type and nullability agree', () => {
    const props = propertiesOf(names.record);
    expect(c.fields.filter(isSerialized).flatMap((f) => propertyProblems(f, props.get(f.name), names.record))).toEqual([]);
  });

  it('when its writable fields are compared with the openapi create and update bodies, then the names and types agree', () => {
    for (const body of [names.create, names.update]) {
      const props = propertiesOf(body);
      const writable = c.fields.filter(isWritable);
      expect([...props.keys()].sort()).toEqual(writable.map((f) => f.name).sort());
      expect(writable.flatMap((f) => propertyProblems(f, props.get(f.name), body))).toEqual([]);
    }
  });

  it('when its stored fields are compared with the columns of its table, then each is a column of a compatible type and nullability', () => {
    const table = columns.get(c.table)!;
    expect(table).toBeDefined();
    const problems = c.fields.filter(isStored).flatMap((f) => {
      const col = table.get(f.column);
      if (!col) return [`${f.name}: no column ${c.table}.${f.column}`];
      const out: string[] = [];
      if (!COLUMN_TYPES[f.type].includes(col.type)) out.push(`${f.name}: ${f.type} in the catalogue, ${col.type} in ${c.table}`);
      if (col.nullable !== f.nullable) out.push(`${f.name}: ${f.nullable ? 'nullable' : 'not nullable'} in the catalogue, not so in ${c.table}`);
      return out;
    });
    expect(problems).toEqual([]);
  });

  it('when its related-table filters are compared with the database, then their tables and columns exist', () => {
    const problems = c.fields.flatMap((f) => {
      const via = f.via;
      if (!via) return [];
      const has = (table: string, column: string) => (columns.get(table)?.has(column) ? [] : [`${f.name}: no column ${table}.${column}`]);
      if (via.kind === 'any') return via.columns.flatMap((col) => has(c.table, col));
      return [...has(via.table, via.fk), ...(via.lookup ? [...has(via.table, via.lookup.key), ...has(via.lookup.table, via.value)] : has(via.table, via.value))];
    });
    expect(problems).toEqual([]);
  });

  it('when it has custom fields, then its table has that jsonb column', () => {
    const col = c.customFieldsColumn === undefined ? undefined : columns.get(c.table)?.get(c.customFieldsColumn);
    expect(c.customFieldsColumn === undefined || col?.type === 'jsonb').toBe(true);
  });
});

describe.each(CATALOGUES.filter((c) => c.internalColumns).map((c) => [c.resource, c] as const))('the table of the %s catalogue', (_resource, c) => {
  it('when its columns are listed, then each is a field, the custom fields column or a declared internal column', () => {
    const known = new Set([...c.fields.filter(isStored).map((f) => f.column), ...(c.customFieldsColumn ? [c.customFieldsColumn] : []), ...(c.internalColumns ?? [])]);
    expect([...columns.get(c.table)!.keys()].filter((k) => !known.has(k))).toEqual([]);
  });
});

describe('the accounts catalogue and what derives from it', () => {
  it('when the related sets a client writes are compared with the catalogue, then they are its relation fields', () => {
    expect([...RELATION_FIELDS].sort()).toEqual(accountCatalogue.fields.filter((f) => sourceOf(f) === 'relation').map((f) => f.name).sort());
  });

  it('when a field drifts from openapi.yaml (renamed, retyped), then the comparison names it', () => {
    const props = propertiesOf('Account');
    const renamed: FieldDef = { name: 'telephone', column: 'telephone', type: 'string', filterable: true, sortable: true, nullable: true };
    const retyped: FieldDef = { name: 'tel', column: 'tel', type: 'integer', filterable: true, sortable: true, nullable: true };
    expect(propertyProblems(renamed, props.get('telephone'), 'Account')).toEqual(['telephone: missing from Account']);
    expect(propertyProblems(retyped, props.get('tel'), 'Account')).toEqual(['tel: integer in the catalogue, string|null in Account']);
  });
});
