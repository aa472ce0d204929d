import type { Catalogue } from '../../query/catalogue';
import { catalogueOf, ResourceSpec } from '../fields';

const LISTED = { filterable: false, sortable: false } as const;

/**
 * An account e-mail (the outbox row), in wire order. Lists filter and sort on id, status, subject,
 * attempts, sent_at and created_on only; `next_attempt_at` shows only while the mail waits, and
 * `notice` says when no SMTP server will send it.
 */
export const EMAIL_FIELDS: readonly ResourceSpec[] = [
  ['id', 'integer', { nullable: false, writable: false }],
  ['account_id', 'integer', { nullable: false, writable: false, ...LISTED }],
  ['from_account', 'string', { nullable: false, ...LISTED }],
  ['recipients', 'string', { nullable: false, shape: 'array', ...LISTED }],
  ['recipient_contact_ids', 'integer', { nullable: false, writable: false, shape: 'array', ...LISTED }],
  ['subject', 'string', { nullable: false }],
  ['html', 'string', { nullable: false, ...LISTED }],
  ['scheduled_later', 'boolean', { nullable: false, ...LISTED }],
  ['scheduled_date_time', 'datetime', { column: 'scheduled_at', ...LISTED }],
  ['status', 'string', { nullable: false, writable: false }],
  ['attempts', 'integer', { nullable: false, writable: false }],
  ['last_error', 'string', { writable: false, ...LISTED }],
  ['next_attempt_at', 'datetime', { writable: false, ...LISTED }],
  ['sent_at', 'datetime', { writable: false }],
  ['created_by', 'integer', { nullable: false, writable: false, ...LISTED }],
  ['created_on', 'datetime', { nullable: false, writable: false }],
  ['notice', 'string', { writable: false, stored: false }],
];

export const emailCatalogue: Catalogue = catalogueOf('e-mail', 'account_emails', EMAIL_FIELDS, {
  // An e-mail is sent, never changed: the one body schema serves as both.
  openapi: { record: 'AccountEmail', create: 'AccountEmailCreate', update: 'AccountEmailCreate' },
});
