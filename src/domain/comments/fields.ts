import type { Catalogue } from '../../query/catalogue';
import { catalogueOf, ResourceSpec, writableOf } from '../fields';

/** A comment on an account, in wire order. */
export const COMMENT_FIELDS: readonly ResourceSpec[] = [
  ['id', 'integer', { nullable: false, writable: false }],
  ['account_id', 'integer', { nullable: false, writable: false }],
  ['comment', 'string', { nullable: false }],
  ['commented_by', 'integer', { nullable: false, writable: false, column: 'author_id' }],
  ['commented_on', 'datetime', { nullable: false, writable: false }],
  ['updated', 'datetime', { nullable: false, writable: false }],
];

export const commentCatalogue: Catalogue = catalogueOf('comment', 'comments', COMMENT_FIELDS, {
  // One body schema for writing a comment and changing it.
  openapi: { record: 'Comment', create: 'CommentWrite', update: 'CommentWrite' },
  internalColumns: ['org_id', 'version'],
});
export const COMMENT_WRITABLE = writableOf(COMMENT_FIELDS);
