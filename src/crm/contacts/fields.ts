import { Catalogue, columnFields, FieldDef, FieldSpec as Spec, writableNames } from '../../query/catalogue';

const TEXT = [
  'salutation', 'first_name', 'middle_name', 'last_name', 'email', 'tel', 'mobile', 'fax', 'job_title', 'department',
  'address_street', 'address_unit', 'address_locality', 'address_town', 'address_region', 'address_postcode',
  'notes', 'external_id', 'import_id',
] as const;

/** Every stored contact field, in wire order (then `custom_fields`). */
const SPECS: Spec[] = [
  ['id', 'integer', { nullable: false, writable: false }],
  ['company_id', 'integer', { nullable: false }],
  ['account_id', 'integer'],
  ...TEXT.slice(0, 10).map((n): Spec => [n, 'string']),
  ...TEXT.slice(10, 16).map((n): Spec => [n, 'string']),
  ['address_country_id', 'integer'],
  ...TEXT.slice(16).map((n): Spec => [n, 'string']),
  ['is_deleted', 'boolean', { nullable: false }],
  ['created_on', 'datetime', { nullable: false, writable: false }],
  ['updated', 'datetime', { nullable: false, writable: false }],
];

export const CONTACT_FIELDS: readonly FieldDef[] = columnFields(SPECS);

export const contactCatalogue: Catalogue = {
  resource: 'contact',
  table: 'contacts',
  fields: CONTACT_FIELDS,
  customFieldsColumn: 'custom_fields',
};

export const CONTACT_WRITABLE: ReadonlySet<string> = writableNames(SPECS);
export const CONTACT_WIRE_ORDER: readonly string[] = [...SPECS.map(([n]) => n), 'custom_fields'];
