import type { Catalogue } from '../../query/catalogue';
import { catalogueOf, ResourceSpec, writableOf } from '../fields';

/** A team, in wire order; `users` (member ids) lives in team_members and filters through it. */
export const TEAM_FIELDS: readonly ResourceSpec[] = [
  ['id', 'integer', { nullable: false, writable: false }],
  ['name', 'string', { nullable: false }],
  ['description', 'string'],
  ['users', 'integer', { stored: false, shape: 'array', via: { kind: 'link', table: 'team_members', fk: 'team_id', value: 'user_id' } }],
  ['created', 'datetime', { nullable: false, writable: false }],
  ['updated', 'datetime', { nullable: false, writable: false }],
];

export const teamCatalogue: Catalogue = catalogueOf('team', 'teams', TEAM_FIELDS, { internalColumns: ['org_id', 'version'] });
/** Columns a client may set (members are set through `users`). */
export const TEAM_WRITABLE = writableOf(TEAM_FIELDS);
