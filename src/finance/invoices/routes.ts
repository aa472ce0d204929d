import { Router } from 'express';
import { crudRoutes } from '../../http/crud-routes';
import { InvoiceService } from './service';

/** `/api/v2/finance/sales_invoices`, in the accounts' style (POST /:id updates too). */
export function invoiceRoutes(service: InvoiceService): Router {
  return crudRoutes(service);
}
