import { Router } from 'express';
import { Knex } from 'knex';
import { requireJsonOrForm } from '../http/body';
import { ForbiddenError } from '../http/errors';
import { validateBody } from '../openapi/validator';
import { baseCurrency, listRates, RateRow, setRate } from '../money/rates';

export function serializeRate(r: RateRow, base: string) {
  return { currency_code: r.currency_code, base_currency: base, rate: Number(r.rate), valid_from: r.valid_from };
}

/** `/api/v2/finance/exchange_rates`: rates against the organisation's base currency, by date. */
export function exchangeRateRoutes(knex: Knex): Router {
  const r = Router();
  r.get('/', async (req, res) => {
    const base = await baseCurrency(knex, req.user!.orgId);
    res.json((await listRates(knex, req.user!.orgId)).map((x) => serializeRate(x, base)));
  });
  r.post('/', requireJsonOrForm, async (req, res) => {
    if (req.user!.role !== 'admin') throw new ForbiddenError('only admins can set exchange rates');
    const input = validateBody('ExchangeRateCreate', req.body, req.bodyFormat!);
    const row = await setRate(knex, req.user!.orgId, input as { currency_code: unknown; rate: unknown; valid_from?: unknown });
    res.status(201).json(serializeRate(row, await baseCurrency(knex, req.user!.orgId)));
  });
  return r;
}
