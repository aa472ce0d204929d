import { Knex } from 'knex';
import cc from 'currency-codes';
import symbolOf from 'currency-symbol-map';

/** Names as Administrate printed them where they differ from ISO 4217's wording. */
const NAME_OVERRIDES: Record<string, string> = {
  GBP: 'British Pound Sterling',
  USD: 'US Dollar',
  EUR: 'Euro',
};
/** The first currencies get the first ids, so GBP is currency 1 as in the seed document. */
const FIRST = ['GBP', 'EUR', 'USD'];

export const COMPANY_SETTINGS_DEFAULT = {
  time_format: 'H:i',
  date_format: 'Y-m-d',
  locale: 'en_GB',
  week_starts: null,
  non_working_days: null,
};

export interface NewOrg {
  name: string;
  companyCode: string;
  companyName: string;
  baseCurrency: string;
}

export function isoCurrencyRows(orgId: number, baseCurrency: string) {
  const rest = cc.data.map((c) => c.code).filter((c) => !FIRST.includes(c)).sort();
  return [...FIRST, ...rest].map((code) => {
    const c = cc.code(code)!;
    return {
      org_id: orgId,
      code,
      name: NAME_OVERRIDES[code] ?? c.currency,
      symbol: symbolOf(code) ?? null,
      html_code: null,
      minor_units: c.digits,
      is_base: code === baseCurrency,
    };
  });
}

/** Creates an organisation with the ISO 4217 currencies and its first company, in one transaction. */
export async function createOrg(knex: Knex, input: NewOrg): Promise<{ orgId: number; companyId: number }> {
  const base = input.baseCurrency.toUpperCase();
  if (!cc.code(base)) throw new Error(`unknown currency code "${input.baseCurrency}"`);
  return knex.transaction(async (trx) => {
    const [org] = await trx('orgs').insert({ name: input.name }).returning('id');
    await trx.batchInsert('currencies', isoCurrencyRows(org.id, base), 200);
    const [company] = await trx('companies')
      .insert({
        org_id: org.id,
        code: input.companyCode,
        name: input.companyName,
        currency_code: base,
        settings: JSON.stringify(COMPANY_SETTINGS_DEFAULT),
      })
      .returning('id');
    return { orgId: org.id, companyId: company.id };
  });
}
