import { Catalogue, FieldDef, isImportable, isSerialized, isStored, isTracked, isWritable, ScalarType, wireKeys } from '../../query/catalogue';

/**
 * The catalogue of accounts: every field, in the order of keys in a full record (Administrate's
 * documentation, then our additive `updated`, `status`, `assigned_to`, `teams`, `custom_fields`),
 * then the fields that are not shown (`company_id`, filter-only fields). Everything else about
 * account fields derives from this list: the writable and read-only sets, the serializer's key
 * order, the import's skipped keys, history's tracked fields, the query's filterable fields.
 */
type Flags = Partial<Omit<FieldDef, 'name' | 'column'>>;

/** A column, filterable and sortable, nullable unless said. */
const col = (name: string, type: ScalarType, flags: Flags = {}): FieldDef => ({
  name, column: name, type, filterable: true, sortable: true, nullable: true, ...flags,
});
const text = (name: string, flags?: Flags) => col(name, 'string', flags);
const int = (name: string, flags?: Flags) => col(name, 'integer', flags);
const bool = (name: string, flags?: Flags) => col(name, 'boolean', flags);
const required = { nullable: false };
/** Computed on read, never written (a dump's copy is skipped by an import). */
const derived = (name: string, flags: Flags = {}): FieldDef => ({
  name, column: name, type: 'string', filterable: false, sortable: false, nullable: true, source: 'derived', ...flags,
});
/** A related set written and shown as a list; filterable when `via` says how. */
const relation = (name: string, type: ScalarType, via?: FieldDef['via']): FieldDef => ({
  name, column: name, type, filterable: via !== undefined, sortable: false, nullable: true, source: 'relation', ...(via ? { via } : {}),
});
const filterOnly = (name: string, type: ScalarType, via: FieldDef['via']): FieldDef => ({
  name, column: name, type, filterable: true, sortable: false, nullable: true, source: 'filter', via,
});

const FIELDS: readonly FieldDef[] = [
  text('shipping_address_locality'), text('import_id'), int('primary_contact_id'), text('tel'), text('address_unit'),
  derived('converted_balance', { type: 'decimal', listOmitted: true }),
  int('default_approver', required), text('company_number'), bool('no_publicity'), text('url'),
  text('shipping_address_street'), text('vat_number'), text('address_postcode'), int('billing_address_country_id'),
  text('address_country'), int('id', { ...required, writable: false }), text('shipping_address_postcode'),
  relation('industries', 'string'),
  text('address_street'), text('source'), text('address_region'), bool('is_employee', required),
  int('default_price_level_id'), bool('is_individual', required), bool('is_supplier', required), int('parent_id'),
  text('source_details'), text('notes'), text('billing_contact_person'), text('billing_address_locality'),
  bool('is_partner', required), text('email'), text('billing_address_region'), text('fax'), text('account_type'),
  text('description'),
  relation('tags', 'string', { kind: 'link', table: 'account_tags', fk: 'account_id', value: 'name', lookup: { table: 'tags', key: 'tag_id' } }),
  derived('company'),
  text('billing_address_unit'), text('partner_type'),
  // Price levels are not modelled: the id is stored as sent, the expanded object is always null.
  derived('default_price_level'),
  text('address_town'), text('billing_address_postcode'), text('shipping_address_town'), text('billing_address_street'),
  text('shipping_address_region'), int('shipping_address_country_id'), bool('is_deleted', required), text('name', required),
  col('customer_since', 'date'), text('mobile'), text('shipping_contact_person'),
  col('created', 'datetime', { ...required, writable: false }),
  text('shipping_address_unit'), bool('is_customer', required), text('address_locality'), int('initial_contact_id'),
  derived('balance', { listOmitted: true }),
  text('external_id'), text('bank_details'), text('billing_address_town'),
  col('updated', 'datetime', { ...required, writable: false }),
  text('status', required),
  relation('assigned_to', 'integer', { kind: 'link', table: 'account_assignees', fk: 'account_id', value: 'user_id' }),
  relation('teams', 'integer', { kind: 'link', table: 'account_teams', fk: 'account_id', value: 'team_id' }),
  { name: 'custom_fields', column: 'custom_fields', type: 'string', filterable: false, sortable: false, nullable: false, source: 'custom' },
  // Not shown: the company is shown through the nested `company`.
  int('company_id', { ...required, serialized: false }),
  // The second seed's list filters over related tables.
  filterOnly('industry', 'string', { kind: 'link', table: 'account_industries', fk: 'account_id', value: 'name', lookup: { table: 'industries', key: 'industry_id' } }),
  filterOnly('city', 'string', { kind: 'any', columns: ['address_town', 'billing_address_town', 'shipping_address_town'] }),
];

export const accountCatalogue: Catalogue = {
  resource: 'account',
  table: 'accounts',
  fields: FIELDS,
  customFieldsColumn: 'custom_fields',
  customFieldIndexes: true,
  internalColumns: ['org_id', 'deleted_at', 'version', 'created_by'],
};

/** The stored columns (the import's statements, history's value formatting, the CSV export). */
export const ACCOUNT_FIELDS: readonly FieldDef[] = FIELDS.filter(isStored);

/** Columns a client may write (besides relations and `custom_fields`). */
export const WRITABLE_FIELDS: ReadonlySet<string> = new Set(ACCOUNT_FIELDS.filter(isWritable).map((f) => f.name));

/** Fields a response shows but a client cannot set: a write that sends one is told so. */
export const READ_ONLY: ReadonlySet<string> = new Set(FIELDS.filter((f) => isSerialized(f) && !isWritable(f)).map((f) => f.name));

/** Keys of a v2 dump that an import skips (computed or read-only here). */
export const SKIPPED: ReadonlySet<string> = new Set(FIELDS.filter((f) => isSerialized(f) && !isImportable(f)).map((f) => f.name));

/** Columns whose changes history records: every column a client can change. */
export const TRACKED: readonly string[] = ACCOUNT_FIELDS.filter(isTracked).map((f) => f.name);

/** Stored fields that appear in responses. */
export const SERIALIZED_FIELDS: ReadonlySet<string> = new Set(ACCOUNT_FIELDS.filter(isSerialized).map((f) => f.name));

/** Keys of a full account record, in order. */
export const WIRE_ORDER: readonly string[] = wireKeys(accountCatalogue);

/** Keys a list item leaves out (`balance`, `converted_balance`). */
export const LIST_OMITTED: ReadonlySet<string> = new Set(FIELDS.filter((f) => f.listOmitted).map((f) => f.name));

/**
 * Related sets a client writes as lists on an account, in the order history records them (the
 * catalogue's `relation` fields; spec/schema/catalogue.spec.ts checks that they agree).
 */
export const RELATION_FIELDS = ['tags', 'industries', 'assigned_to', 'teams'] as const;
export type RelationField = (typeof RELATION_FIELDS)[number];
