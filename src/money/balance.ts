import { Knex } from 'knex';
import { InvalidInputError } from '../core/errors';
import { baseCurrency, checkDisplayCurrency, currencyInfo, CurrencyInfo, RateRow, ratesOn, todayUtc } from './rates';
import { Dec, Exact, roundTo, toWire } from './amount';

export interface AccountBalance {
  balance: Record<string, number>;
  converted_balance: number | null;
}

// Intermediate precision of conversions; the result is rounded once, to the display currency.
const WORKING_PRECISION = 6;

/** What one currency's invoices leave owing, as the balance column reads it. */
export interface OwedRow {
  currency_code: string;
  outstanding: string;
  minor_units: number;
}

/**
 * What the account owes, per currency, as a json column of an `accounts` query (NULL when nothing is
 * owed), so reading an account and its balance is one round trip. The sums are kept by a trigger on
 * sales_invoices (migrations/017_account_balances.ts): a primary-key lookup, not a sum over the
 * account's invoices (10 ms for 10,000 of them).
 */
export const BALANCE_SQL = `(SELECT json_agg(json_build_object('currency_code', b.currency_code, 'outstanding', b.outstanding::text, 'minor_units', cu.minor_units) ORDER BY b.currency_code)
    FROM account_balances b JOIN currencies cu ON cu.org_id = b.org_id AND cu.code = b.currency_code
   WHERE b.org_id = accounts.org_id AND b.account_id = accounts.id AND b.outstanding <> 0)`;

/**
 * What an account owes, by invoice currency: (total − amount_paid) over its non-deleted, non-void
 * invoices, summed as numeric (account_balances). Currencies that net to zero are left out, so an
 * account without anything owing shows `{}`.
 *
 * With `displayCurrency`, each currency's amount is converted through the base currency with the
 * latest rate valid today (amount / rate(from) × rate(to), the base's rate being 1), at 6 decimal
 * places, and the sum is rounded once to the display currency's minor units (half up). Every step
 * is decimal arithmetic (see convertOwed): no binary float touches the amounts. `owed` is what BALANCE_SQL read.
 */
export interface ConversionData {
  currencies: Map<string, CurrencyInfo>;
  /** Latest valid rate of every currency that has one. */
  rates: Map<string, RateRow>;
}

/** What a conversion needs, read while the account itself is read (see AccountService.read). */
export async function conversionData(db: Knex, orgId: number): Promise<ConversionData> {
  const [currencies, rates] = await Promise.all([currencyInfo(db, orgId), ratesOn(db, orgId, undefined, todayUtc())]);
  return { currencies, rates };
}

export async function balanceFrom(
  db: Knex,
  orgId: number,
  owed: OwedRow[] | null,
  displayCurrency?: string,
  preloaded?: ConversionData,
): Promise<AccountBalance> {
  const rows = owed ?? [];
  const balance: Record<string, number> = {};
  for (const r of rows) balance[r.currency_code] = toWire(r.outstanding, r.minor_units);
  if (displayCurrency === undefined) return { balance, converted_balance: null };

  const currencies = preloaded?.currencies ?? (await currencyInfo(db, orgId));
  const target = checkDisplayCurrency(displayCurrency, currencies);
  const base = [...currencies.values()].find((c) => c.is_base)?.code ?? (await baseCurrency(db, orgId));
  const today = todayUtc();
  const needed = [...new Set([...Object.keys(balance), target])].filter((c) => c !== base);
  const rates = preloaded?.rates ?? (await ratesOn(db, orgId, needed, today));
  const missing = needed.filter((c) => !rates.has(c));
  if (missing.length) {
    throw new InvalidInputError(
      'missing_exchange_rate',
      `no exchange rate valid on ${today} for ${missing.join(', ')} (against the base currency ${base}); set one with POST /api/v2/finance/exchange_rates or "v2crm rates set"`,
      missing.map((c) => ({ field: 'display_currency', message: `no exchange rate for ${c} valid on ${today}` })),
    );
  }
  const rateOf = (c: string) => (c === base ? '1' : rates.get(c)!.rate);
  const sum = convertOwed(rows.map((r) => ({ amount: r.outstanding, from: rateOf(r.currency_code) })), rateOf(target));
  return { balance, converted_balance: toWire(sum, currencies.get(target)!.minor_units) };
}

/**
 * Σ round6(round6(amount / from) × to): each amount goes into the base currency and on to the
 * target at WORKING_PRECISION decimals (half up), exactly as the documented rule says; the caller
 * rounds the sum once to the target's minor units. Rates are units per 1 unit of the base.
 */
export function convertOwed(amounts: { amount: string; from: string }[], to: string): Dec {
  let sum = new Exact(0);
  for (const a of amounts) {
    const inBase = roundTo(new Exact(a.amount).dividedBy(a.from), WORKING_PRECISION);
    sum = sum.plus(roundTo(new Exact(inBase).times(to), WORKING_PRECISION));
  }
  return sum;
}
