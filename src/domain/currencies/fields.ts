import type { Catalogue } from '../../query/catalogue';
import { catalogueOf, ResourceSpec } from '../fields';

/**
 * A currency of the organisation, in wire order (the seed's nested currency object: code first).
 * Read-only over the API: the seed and the CLI set them.
 */
export const CURRENCY_FIELDS: readonly ResourceSpec[] = [
  ['code', 'string', { nullable: false, writable: false }],
  ['name', 'string', { nullable: false, writable: false }],
  ['symbol', 'string', { writable: false }],
  ['html_code', 'string', { writable: false }],
  ['id', 'integer', { nullable: false, writable: false }],
  ['is_base', 'boolean', { nullable: false, writable: false }],
];

export const currencyCatalogue: Catalogue = catalogueOf('currency', 'currencies', CURRENCY_FIELDS, {
  // minor_units: how many decimals amounts keep (src/money), not shown.
  internalColumns: ['org_id', 'minor_units'],
});

/** A rate against the base currency from a date on, in wire order. */
export const EXCHANGE_RATE_FIELDS: readonly ResourceSpec[] = [
  ['currency_code', 'string', { nullable: false }],
  ['base_currency', 'string', { nullable: false, writable: false, stored: false }],
  ['rate', 'decimal', { nullable: false }],
  ['valid_from', 'date', { nullable: false }],
];

export const exchangeRateCatalogue: Catalogue = catalogueOf('exchange rate', 'exchange_rates', EXCHANGE_RATE_FIELDS, {
  // A rate is added (or replaced for its date), never updated in place: one body schema.
  openapi: { record: 'ExchangeRate', create: 'ExchangeRateCreate', update: 'ExchangeRateCreate' },
  // A rate is named by currency and date on the wire; its row id and creation time are bookkeeping.
  internalColumns: ['org_id', 'id', 'created'],
});
