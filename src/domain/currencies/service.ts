import { Knex } from 'knex';
import type { Viewer } from '../../core/caller';
import { NotFoundError } from '../../core/errors';
import { checkAdmin } from '../../access/permissions';
import { listRows, ListResult } from '../../query/list';
import { ListQuery } from '../../query/parse';
import { baseCurrency, listRates, RateRow, setRate } from '../../money/rates';
import { currencyCatalogue } from './fields';
import { CurrencyRepo, CurrencyRow } from './repo';

export type { CurrencyRow } from './repo';

/** A rate as the API shows it: against the organisation's base currency. */
export type ExchangeRate = RateRow & { base_currency: string };

/** The organisation's ISO 4217 currencies (read-only) and its exchange rates (admins set them). */
export class CurrencyService {
  private readonly repo: CurrencyRepo;

  constructor(private readonly knex: Knex) {
    this.repo = new CurrencyRepo(knex);
  }

  list(viewer: Viewer, q: ListQuery): Promise<ListResult<CurrencyRow>> {
    return listRows<CurrencyRow, CurrencyRow>({
      knex: this.knex,
      scoped: this.repo.scoped(viewer.orgId),
      catalogue: currencyCatalogue,
      q,
      softDelete: false,
      serialize: async (rows) => rows,
    });
  }

  /** By ISO code, any case. */
  async get(viewer: Viewer, code: string): Promise<CurrencyRow> {
    const row = await this.repo.byCode(viewer.orgId, code.toUpperCase());
    if (!row) throw new NotFoundError('currency', code.slice(0, 20));
    return row;
  }

  async rates(viewer: Viewer): Promise<ExchangeRate[]> {
    const base = await baseCurrency(this.knex, viewer.orgId);
    return (await listRates(this.knex, viewer.orgId)).map((r) => ({ ...r, base_currency: base }));
  }

  /** ForbiddenError unless the viewer may set rates (a dialect asks before it reads the body). */
  checkMaySetRates(viewer: Viewer): void {
    checkAdmin(viewer, 'only admins can set exchange rates');
  }

  async setRate(viewer: Viewer, input: { currency_code: unknown; rate: unknown; valid_from?: unknown }): Promise<ExchangeRate> {
    this.checkMaySetRates(viewer);
    const row = await setRate(this.knex, viewer.orgId, input);
    return { ...row, base_currency: await baseCurrency(this.knex, viewer.orgId) };
  }
}
