import currency from 'currency.js';
import { Knex } from 'knex';
import { HttpError } from '../http/errors';
import { baseCurrency, checkDisplayCurrency, currencyInfo, ratesOn, todayUtc } from './rates';
import { toWire } from './amount';

export interface AccountBalance {
  balance: Record<string, number>;
  converted_balance: number | null;
}

// Intermediate precision of conversions; the result is rounded once, to the display currency.
const WORKING_PRECISION = 6;

/**
 * What an account owes, by invoice currency: one SQL aggregate of (total − amount_paid) over its
 * non-deleted, non-void invoices, summed as numeric. Currencies that net to zero are left out, so an
 * account without anything owing shows `{}`.
 *
 * With `displayCurrency`, each currency's amount is converted through the base currency with the
 * latest rate valid today (amount / rate(from) × rate(to), the base's rate being 1), at 6 decimal
 * places, and the sum is rounded once to the display currency's minor units (currency.js rounds
 * half up).
 */
export async function accountBalance(db: Knex, orgId: number, accountId: number, displayCurrency?: string): Promise<AccountBalance> {
  const [rows, currencies] = await Promise.all([
    db('sales_invoices')
      .where({ org_id: orgId, account_id: accountId, is_deleted: false })
      .whereNot('status', 'void')
      .groupBy('currency_code')
      .havingRaw('sum(total - amount_paid) <> 0')
      .orderBy('currency_code')
      .select('currency_code', db.raw('sum(total - amount_paid)::text AS outstanding')),
    currencyInfo(db, orgId),
  ]);
  const balance: Record<string, number> = {};
  for (const r of rows as { currency_code: string; outstanding: string }[]) {
    balance[r.currency_code] = toWire(r.outstanding, currencies.get(r.currency_code)?.minor_units ?? 2);
  }
  if (displayCurrency === undefined) return { balance, converted_balance: null };

  const target = checkDisplayCurrency(displayCurrency, currencies);
  const base = await baseCurrency(db, orgId);
  const today = todayUtc();
  const needed = [...new Set([...Object.keys(balance), target])].filter((c) => c !== base);
  const rates = await ratesOn(db, orgId, needed, today);
  const missing = needed.filter((c) => !rates.has(c));
  if (missing.length) {
    throw new HttpError(
      400,
      'missing_exchange_rate',
      `no exchange rate valid on ${today} for ${missing.join(', ')} (against the base currency ${base}); set one with POST /api/v2/finance/exchange_rates or "v2crm rates set"`,
      missing.map((c) => ({ field: 'display_currency', message: `no exchange rate for ${c} valid on ${today}` })),
    );
  }
  const rateOf = (c: string) => (c === base ? '1' : rates.get(c)!.rate);
  const opts = { precision: WORKING_PRECISION };
  let sum = currency(0, opts);
  for (const r of rows as { currency_code: string; outstanding: string }[]) {
    const inBase = currency(r.outstanding, opts).divide(rateOf(r.currency_code));
    sum = sum.add(inBase.multiply(rateOf(target)));
  }
  return { balance, converted_balance: toWire(sum.value, currencies.get(target)!.minor_units) };
}
