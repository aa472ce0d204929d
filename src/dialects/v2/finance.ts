import { Router } from 'express';
import { requireJsonOrForm } from '../../http/body';
import { sendList } from '../../http/stream-json';
import { validateBody } from '../../openapi/validator';
import { parseListQuery } from '../../query/parse';
import { CURRENCY_FIELDS, currencyCatalogue, EXCHANGE_RATE_FIELDS } from '../../domain/currencies/fields';
import { CurrencyRow, CurrencyService, ExchangeRate } from '../../domain/currencies/service';
import { invoiceRoutes, InvoicesV2 } from './invoices';
import { mapList, serializeRecord } from './serialize';

export const serializeCurrency = (r: CurrencyRow) => serializeRecord(CURRENCY_FIELDS, r);
/** A rate is a JSON number on the wire (its column is numeric(20,10)). */
export const serializeRate = (r: ExchangeRate) => serializeRecord(EXCHANGE_RATE_FIELDS, r, { rate: Number(r.rate), valid_from: r.valid_from });

/** `/api/v2/finance/currencies`: the organisation's ISO 4217 currencies. */
function currencyRoutes(service: CurrencyService, maxLimit: number): Router {
  const r = Router();
  r.get('/', async (req, res) => {
    const q = parseListQuery(req.query as Record<string, unknown>, { catalogue: currencyCatalogue, customFields: new Map(), maxLimit });
    await sendList(res, mapList(await service.list(req.user!, q), serializeCurrency));
  });
  r.get('/:code', async (req, res) => {
    res.json(serializeCurrency(await service.get(req.user!, String(req.params.code))));
  });
  return r;
}

/** `/api/v2/finance/exchange_rates`: rates against the organisation's base currency, by date. */
function exchangeRateRoutes(service: CurrencyService): Router {
  const r = Router();
  r.get('/', async (req, res) => {
    res.json((await service.rates(req.user!)).map(serializeRate));
  });
  r.post('/', requireJsonOrForm, async (req, res) => {
    service.checkMaySetRates(req.user!);
    const input = validateBody('ExchangeRateCreate', req.body, req.bodyFormat!);
    res.status(201).json(serializeRate(await service.setRate(req.user!, input as { currency_code: unknown; rate: unknown; valid_from?: unknown })));
  });
  return r;
}

/** `/api/v2/finance/...` */
export function financeRoutes(deps: { currencies: CurrencyService; invoices: InvoicesV2; maxLimit: number }): Router {
  const r = Router();
  r.use('/currencies', currencyRoutes(deps.currencies, deps.maxLimit));
  r.use('/exchange_rates', exchangeRateRoutes(deps.currencies));
  r.use('/sales_invoices', invoiceRoutes(deps.invoices));
  return r;
}
