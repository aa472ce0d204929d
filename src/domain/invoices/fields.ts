import type { Catalogue } from '../../query/catalogue';
import { catalogueOf, ResourceSpec, writableOf } from '../fields';

/** A sales invoice, in wire order; `lines` and `outstanding` are computed, not columns. */
export const INVOICE_FIELDS: readonly ResourceSpec[] = [
  ['id', 'integer', { nullable: false, writable: false }],
  ['account_id', 'integer', { nullable: false }],
  ['company_id', 'integer', { nullable: false }],
  ['currency_code', 'string', { nullable: false }],
  ['date', 'date', { nullable: false }],
  ['due_date', 'date'],
  ['reference', 'string'],
  ['description', 'string'],
  ['lines', 'decimal', { stored: false, shape: 'array' }],
  ['total', 'decimal', { nullable: false }],
  ['amount_paid', 'decimal', { nullable: false }],
  ['outstanding', 'decimal', { nullable: false, stored: false, writable: false }],
  ['status', 'string', { nullable: false }],
  ['is_deleted', 'boolean', { nullable: false }],
  ['created', 'datetime', { nullable: false, writable: false }],
  ['updated', 'datetime', { nullable: false, writable: false }],
];

export const invoiceCatalogue: Catalogue = catalogueOf('sales invoice', 'sales_invoices', INVOICE_FIELDS, {
  openapi: { record: 'SalesInvoice', create: 'SalesInvoiceCreate', update: 'SalesInvoiceUpdate' },
  internalColumns: ['org_id', 'version', 'created_by', 'deleted_at'],
});
/** Stored fields a client may send (lines too: they set the total). */
export const INVOICE_WRITABLE = writableOf(INVOICE_FIELDS);
