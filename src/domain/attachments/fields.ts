import type { Catalogue } from '../../query/catalogue';
import { catalogueOf, ResourceSpec } from '../fields';

/** An attachment's metadata, in wire order; files are uploaded, never written as fields. */
export const ATTACHMENT_FIELDS: readonly ResourceSpec[] = [
  ['id', 'integer', { nullable: false, writable: false }],
  ['account_id', 'integer', { nullable: false, writable: false }],
  ['file_name', 'string', { nullable: false, writable: false }],
  ['content_type', 'string', { nullable: false, writable: false }],
  ['size', 'integer', { nullable: false, writable: false }],
  ['sha256', 'string', { nullable: false, writable: false }],
  ['uploaded_by', 'integer', { nullable: false, writable: false }],
  ['created_on', 'datetime', { nullable: false, writable: false }],
  ['download_url', 'string', { nullable: false, writable: false, stored: false }],
  // Where the file lies under the store: ours, never shown.
  ['storage_key', 'string', { nullable: false, writable: false, serialized: false }],
];

export const attachmentCatalogue: Catalogue = catalogueOf('attachment', 'attachments', ATTACHMENT_FIELDS, { internalColumns: ['org_id'] });
