import { Router } from 'express';
import { Knex } from 'knex';
import { currencyRoutes } from './currencies';
import { exchangeRateRoutes } from './exchange-rates';
import { invoiceRoutes } from './invoices/routes';
import { InvoiceService } from './invoices/service';

/** `/api/v2/finance/...` */
export function financeRoutes(knex: Knex, maxLimit: number, invoices: InvoiceService): Router {
  const r = Router();
  r.use('/currencies', currencyRoutes(knex, maxLimit));
  r.use('/exchange_rates', exchangeRateRoutes(knex));
  r.use('/sales_invoices', invoiceRoutes(invoices));
  return r;
}
