import { Knex } from 'knex';
import { columnsOf } from '../fields';
import { CURRENCY_FIELDS } from './fields';

export type CurrencyRow = { id: number; code: string; name: string; symbol: string | null; html_code: string | null; is_base: boolean };

const COLUMNS = [...columnsOf(CURRENCY_FIELDS).values()];

/** The only SQL of currencies (rates: src/money/rates.ts, which balances and conversions share). */
export class CurrencyRepo {
  constructor(private readonly knex: Knex) {}

  /** The organisation's currencies, for the list machinery to filter, order and page. */
  scoped(orgId: number): Knex.QueryBuilder {
    return this.knex('currencies').where('currencies.org_id', orgId);
  }

  byCode(orgId: number, code: string): Promise<CurrencyRow | undefined> {
    return this.knex('currencies').where({ org_id: orgId, code }).first(COLUMNS);
  }
}
