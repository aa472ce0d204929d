import type { Catalogue } from '../query/catalogue';
import { accountCatalogue } from '../domain/accounts/fields';
import { contactCatalogue } from '../domain/contacts/fields';

/**
 * Every resource's field catalogue. spec/schema/catalogue.spec.ts checks each one, field by field,
 * against openapi.yaml and the database, so a field cannot exist in one place and be missing in
 * another. A resource with a catalogue registers it here: one line.
 *
 * (The type lives in src/query/catalogue.ts, where the query parser, its first reader, and every
 * resource's fields.ts already import it; this folder holds the registry, which imports the
 * resources, so the type cannot live here without a cycle between folders.)
 */
export const CATALOGUES: readonly Catalogue[] = [
  accountCatalogue,
  // TEMPORARY (issue 14, part B rebuilds the contacts catalogue): it names `custom_fields` only as its
  // column, not yet as its last field; remove the wrapper at merge.
  withCustomFieldsLast(contactCatalogue),
];

/** A catalogue of the earlier shape, whose custom fields object is shown and written last. */
function withCustomFieldsLast(c: Catalogue): Catalogue {
  if (!c.customFieldsColumn || c.fields.some((f) => f.source === 'custom')) return c;
  const custom = { name: 'custom_fields', column: c.customFieldsColumn, type: 'string', filterable: false, sortable: false, nullable: false, source: 'custom' } as const;
  return { ...c, fields: [...c.fields, custom] };
}
