import { Catalogue, columnFields, FieldDef, FieldSpec as Spec, writableNames } from '../../query/catalogue';

/**
 * Every stored account field, with its wire type. Order here does not matter; `WIRE_ORDER` below is
 * the order of keys in responses.
 */
const SPECS: Spec[] = [
  ['id', 'integer', { nullable: false, writable: false }],
  ['company_id', 'integer', { nullable: false, serialized: false }],
  ['name', 'string', { nullable: false }],
  ...(
    [
      'shipping_address_locality', 'import_id', 'tel', 'address_unit', 'company_number', 'url',
      'shipping_address_street', 'vat_number', 'address_postcode', 'address_country',
      'shipping_address_postcode', 'address_street', 'source', 'address_region', 'source_details',
      'notes', 'billing_contact_person', 'billing_address_locality', 'email', 'billing_address_region',
      'fax', 'account_type', 'description', 'billing_address_unit', 'partner_type', 'address_town',
      'billing_address_postcode', 'shipping_address_town', 'billing_address_street',
      'shipping_address_region', 'mobile', 'shipping_contact_person', 'shipping_address_unit',
      'address_locality', 'external_id', 'bank_details', 'billing_address_town',
    ] as const
  ).map((n): Spec => [n, 'string']),
  ...(
    [
      'primary_contact_id', 'billing_address_country_id', 'default_price_level_id', 'parent_id',
      'shipping_address_country_id', 'initial_contact_id',
    ] as const
  ).map((n): Spec => [n, 'integer']),
  ['default_approver', 'integer', { nullable: false }],
  ['no_publicity', 'boolean'],
  ...(['is_employee', 'is_individual', 'is_supplier', 'is_partner', 'is_customer'] as const).map(
    (n): Spec => [n, 'boolean', { nullable: false }],
  ),
  ['customer_since', 'date'],
  ['status', 'string', { nullable: false }],
  ['is_deleted', 'boolean', { nullable: false }],
  ['created', 'datetime', { nullable: false, writable: false }],
  ['updated', 'datetime', { nullable: false, writable: false }],
];

export const ACCOUNT_FIELDS: readonly FieldDef[] = columnFields(SPECS);

/** Filter-only fields over related tables (the second seed's list filters). */
export const ACCOUNT_FILTERS: readonly FieldDef[] = (
  [
    ['tags', 'string', { kind: 'link', table: 'account_tags', fk: 'account_id', value: 'name', lookup: { table: 'tags', key: 'tag_id' } }],
    ['industry', 'string', { kind: 'link', table: 'account_industries', fk: 'account_id', value: 'name', lookup: { table: 'industries', key: 'industry_id' } }],
    ['assigned_to', 'integer', { kind: 'link', table: 'account_assignees', fk: 'account_id', value: 'user_id' }],
    ['teams', 'integer', { kind: 'link', table: 'account_teams', fk: 'account_id', value: 'team_id' }],
    ['city', 'string', { kind: 'any', columns: ['address_town', 'billing_address_town', 'shipping_address_town'] }],
  ] as const
).map(([name, type, via]) => ({ name, column: name, type, filterable: true, sortable: false, nullable: true, via }));

export const accountCatalogue: Catalogue = {
  resource: 'account',
  table: 'accounts',
  fields: [...ACCOUNT_FIELDS, ...ACCOUNT_FILTERS],
  customFieldsColumn: 'custom_fields',
};

/** Fields a client may send on create/update (besides `custom_fields`). */
export const WRITABLE_FIELDS: ReadonlySet<string> = writableNames(SPECS);

/** Stored fields that appear in responses; `company_id` is shown through the nested `company`. */
export const SERIALIZED_FIELDS: ReadonlySet<string> = new Set(
  SPECS.filter(([, , o]) => o?.serialized !== false).map(([n]) => n),
);

/** Keys of a full account record, in the order Administrate's documentation prints them, then our
 *  additive `updated` and `custom_fields`. List items leave out `balance` and `converted_balance`. */
export const WIRE_ORDER = [
  'shipping_address_locality', 'import_id', 'primary_contact_id', 'tel', 'address_unit',
  'converted_balance', 'default_approver', 'company_number', 'no_publicity', 'url',
  'shipping_address_street', 'vat_number', 'address_postcode', 'billing_address_country_id',
  'address_country', 'id', 'shipping_address_postcode', 'industries', 'address_street', 'source',
  'address_region', 'is_employee', 'default_price_level_id', 'is_individual', 'is_supplier',
  'parent_id', 'source_details', 'notes', 'billing_contact_person', 'billing_address_locality',
  'is_partner', 'email', 'billing_address_region', 'fax', 'account_type', 'description', 'tags',
  'company', 'billing_address_unit', 'partner_type', 'default_price_level', 'address_town',
  'billing_address_postcode', 'shipping_address_town', 'billing_address_street',
  'shipping_address_region', 'shipping_address_country_id', 'is_deleted', 'name', 'customer_since',
  'mobile', 'shipping_contact_person', 'created', 'shipping_address_unit', 'is_customer',
  'address_locality', 'initial_contact_id', 'balance', 'external_id', 'bank_details',
  'billing_address_town', 'updated', 'status', 'assigned_to', 'teams', 'custom_fields',
] as const;

/** Related sets a client writes as lists on an account. */
export const RELATION_FIELDS = ['tags', 'industries', 'assigned_to', 'teams'] as const;
export type RelationField = (typeof RELATION_FIELDS)[number];

export const LIST_OMITTED: ReadonlySet<string> = new Set(['balance', 'converted_balance']);
