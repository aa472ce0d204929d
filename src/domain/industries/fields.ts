import type { Catalogue } from '../../query/catalogue';
import { catalogueOf, columnsOf, ResourceSpec } from '../fields';

/** An industry of the managed list accounts' `industries` pick from, in wire order. */
export const INDUSTRY_FIELDS: readonly ResourceSpec[] = [
  ['id', 'integer', { nullable: false, writable: false }],
  ['name', 'string', { nullable: false }],
];

export const industryCatalogue: Catalogue = catalogueOf('industry', 'industries', INDUSTRY_FIELDS, {
  // Industries are created and removed, never updated: the one body schema serves as both.
  openapi: { record: 'Industry', create: 'IndustryCreate', update: 'IndustryCreate' },
  internalColumns: ['org_id'],
});
export const INDUSTRY_COLUMNS: readonly string[] = [...columnsOf(INDUSTRY_FIELDS).values()];
