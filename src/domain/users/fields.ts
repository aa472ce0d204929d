import type { Catalogue } from '../../query/catalogue';
import { catalogueOf, ResourceSpec, wireOrder } from '../fields';

/** A user as the API shows it (never the hash), in wire order. */
const SPECS: readonly ResourceSpec[] = [
  ['id', 'integer', { nullable: false, writable: false }],
  ['email', 'string', { nullable: false }],
  ['name', 'string'],
  ['role', 'string', { nullable: false }],
  ['is_active', 'boolean', { nullable: false }],
  ['created', 'datetime', { nullable: false, writable: false }],
];

export const userCatalogue: Catalogue = catalogueOf('user', 'users', SPECS);
export const USER_WIRE_ORDER: readonly string[] = wireOrder(SPECS);
