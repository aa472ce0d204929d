import type { Catalogue } from '../../query/catalogue';
import { catalogueOf, ResourceSpec } from '../fields';

/** Models that carry custom fields, as they appear in `/api/v2/meta/<module>/<model>`. */
export const CUSTOM_FIELD_MODELS = ['crm/accounts', 'crm/contacts'] as const;
export type CustomFieldModel = (typeof CUSTOM_FIELD_MODELS)[number];

/**
 * A custom field key: `field_N`. Definitions are checked against it, and SQL that must name a key
 * literally (an index's DDL, the CSV export's columns) checks it again before writing it in.
 */
export const CUSTOM_FIELD_KEY = /^field_[1-9]\d{0,8}$/;

/** A custom field definition (`field_N` of one model), in wire order (the meta shape, under its key). */
export const CUSTOM_FIELD_DEFINITION_FIELDS: readonly ResourceSpec[] = [
  ['key', 'string', { nullable: false, serialized: false }],
  ['type', 'string', { nullable: false }],
  ['label', 'string', { nullable: false }],
  ['choices', 'string', { shape: 'array' }],
];

export const customFieldDefinitionCatalogue: Catalogue = catalogueOf('custom field', 'custom_field_definitions', CUSTOM_FIELD_DEFINITION_FIELDS, {
  // A definition is added or removed, never changed: the one body schema serves as both.
  openapi: { record: 'CustomFieldDefinition', create: 'CustomFieldDefinitionCreate', update: 'CustomFieldDefinitionCreate' },
});
