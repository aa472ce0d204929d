import type { Catalogue } from '../../query/catalogue';
import { catalogueOf, ResourceSpec, wireOrder, writableOf } from '../fields';

const TEXT = (...names: string[]): ResourceSpec[] => names.map((n): ResourceSpec => [n, 'string']);

/** Every contact field, in wire order; `custom_fields` is the jsonb column the catalogue names apart. */
export const CONTACT_FIELDS: readonly ResourceSpec[] = [
  ['id', 'integer', { nullable: false, writable: false }],
  ['company_id', 'integer', { nullable: false }],
  ['account_id', 'integer'],
  ...TEXT('salutation', 'first_name', 'middle_name', 'last_name', 'email', 'tel', 'mobile', 'fax', 'job_title', 'department'),
  ...TEXT('address_street', 'address_unit', 'address_locality', 'address_town', 'address_region', 'address_postcode'),
  ['address_country_id', 'integer'],
  ...TEXT('notes', 'external_id', 'import_id'),
  ['is_deleted', 'boolean', { nullable: false }],
  ['created_on', 'datetime', { nullable: false, writable: false }],
  ['updated', 'datetime', { nullable: false, writable: false }],
  // Written through its own checks (definitions), filtered as custom_fields.field_N.
  ['custom_fields', 'string', { stored: false, shape: 'object' }],
];

export const contactCatalogue: Catalogue = catalogueOf('contact', 'contacts', CONTACT_FIELDS, {
  customFieldsColumn: 'custom_fields',
  internalColumns: ['org_id', 'version', 'created_by', 'deleted_at'],
});
export const CONTACT_WRITABLE: ReadonlySet<string> = writableOf(CONTACT_FIELDS);
export const CONTACT_WIRE_ORDER: readonly string[] = wireOrder(CONTACT_FIELDS);
