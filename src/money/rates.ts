import { Knex } from 'knex';
import { FieldProblem as ErrorDetail, QueryError, ValidationError } from '../core/errors';
import { parseScalar } from '../core/values';
import { PREPARED } from '../db/prepared';

export interface RateRow {
  currency_code: string;
  rate: string;
  valid_from: string;
}

export interface CurrencyInfo {
  code: string;
  minor_units: number;
  is_base: boolean;
}

export async function currencyInfo(db: Knex, orgId: number): Promise<Map<string, CurrencyInfo>> {
  // Read for every display_currency request: prepared (src/db/prepared.ts).
  const rows = await db('currencies').where({ org_id: orgId }).select('code', 'minor_units', 'is_base').options(PREPARED);
  return new Map(rows.map((r) => [r.code, r]));
}

/** The organisation's base currency: rates are quoted against it. */
export async function baseCurrency(db: Knex, orgId: number): Promise<string> {
  const row = await db('currencies').where({ org_id: orgId, is_base: true }).first('code');
  return row?.code ?? 'GBP';
}

/** For each code (all when undefined), the latest rate valid on `onDate` (YYYY-MM-DD): future-dated rates are ignored. */
export async function ratesOn(db: Knex, orgId: number, codes: string[] | undefined, onDate: string): Promise<Map<string, RateRow>> {
  if (codes?.length === 0) return new Map();
  const q = db('exchange_rates');
  // All codes: one fixed text, read for every display_currency request, so prepared (src/db/prepared.ts).
  if (codes) q.whereIn('currency_code', codes);
  else q.options(PREPARED);
  const rows: RateRow[] = await q
    .distinctOn('currency_code')
    .where({ org_id: orgId })
    .where('valid_from', '<=', onDate)
    .orderBy([{ column: 'currency_code' }, { column: 'valid_from', order: 'desc' }])
    .select('currency_code', 'rate', 'valid_from');
  return new Map(rows.map((r) => [r.currency_code, r]));
}

export function todayUtc(): string {
  return new Date().toISOString().slice(0, 10);
}

/** Sets (or replaces) the rate of one currency from a date on. */
export async function setRate(db: Knex, orgId: number, input: { currency_code: unknown; rate: unknown; valid_from?: unknown }): Promise<RateRow> {
  const details: ErrorDetail[] = [];
  const code = typeof input.currency_code === 'string' ? input.currency_code.toUpperCase() : '';
  const currencies = await currencyInfo(db, orgId);
  const base = await baseCurrency(db, orgId);
  if (!currencies.has(code)) details.push({ field: 'currency_code', message: `"${String(input.currency_code)}" is not a currency of this organisation` });
  else if (code === base) details.push({ field: 'currency_code', message: `${code} is the base currency; its rate is always 1` });
  const rateText = typeof input.rate === 'number' ? String(input.rate) : typeof input.rate === 'string' ? input.rate.trim() : '';
  if (!/^\d{1,10}(\.\d{1,10})?$/.test(rateText) || Number(rateText) <= 0) {
    details.push({ field: 'rate', message: 'must be a positive decimal with at most 10 decimal places (units of this currency per 1 unit of the base currency)' });
  }
  const validFrom = input.valid_from === undefined || input.valid_from === null ? todayUtc() : String(input.valid_from);
  if ('error' in parseScalar('date', validFrom)) details.push({ field: 'valid_from', message: 'must be a date YYYY-MM-DD' });
  if (details.length) throw new ValidationError(details);
  const [row] = await db('exchange_rates')
    .insert({ org_id: orgId, currency_code: code, rate: rateText, valid_from: validFrom })
    .onConflict(['org_id', 'currency_code', 'valid_from'])
    .merge(['rate'])
    .returning(['currency_code', 'rate', 'valid_from']);
  return row;
}

export async function listRates(db: Knex, orgId: number): Promise<RateRow[]> {
  return db('exchange_rates').where({ org_id: orgId }).orderBy([{ column: 'currency_code' }, { column: 'valid_from' }]).select('currency_code', 'rate', 'valid_from');
}

/** `display_currency` from a query: three letters, a currency of the organisation. */
export function checkDisplayCurrency(raw: string, currencies: Map<string, CurrencyInfo>): string {
  const code = raw.toUpperCase();
  if (!/^[A-Z]{3}$/.test(code) || !currencies.has(code)) {
    throw new QueryError('display_currency', `"${raw.slice(0, 20)}" is not a known ISO 4217 currency code`);
  }
  return code;
}
