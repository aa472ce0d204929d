import { Router } from 'express';
import type { Caller } from '../../core/caller';
import { BodyFormat } from '../../http/body';
import { crudRoutes } from '../../http/crud-routes';
import { validateBody } from '../../openapi/validator';
import { parseListQuery } from '../../query/parse';
import { ListResult } from '../../query/list';
import { toWire } from '../../money/amount';
import { INVOICE_FIELDS, invoiceCatalogue } from '../../domain/invoices/fields';
import { Invoice, InvoiceService } from '../../domain/invoices/service';
import { mapList, serializeRecord } from './serialize';

/** An invoice in the v2 shape: amounts are JSON numbers rounded to the currency (lines: 4 places). */
export function serializeInvoice(inv: Invoice): Record<string, unknown> {
  const money = (v: string) => toWire(v, inv.minor_units);
  return serializeRecord(INVOICE_FIELDS, inv, {
    lines: inv.lines.map((l) => ({ description: l.description, quantity: toWire(l.quantity, 4), unit_price: toWire(l.unit_price, 4), amount: Number(l.amount) })),
    total: money(inv.total),
    amount_paid: money(inv.amount_paid),
    outstanding: money(inv.outstanding),
  });
}

/** Sales invoices over the v2 wire: the CRUD verbs, and the lists accounts embed (`?expand=invoices`, `/accounts/:id/invoices`). */
export class InvoicesV2 {
  constructor(readonly service: InvoiceService, private readonly maxLimit: number) {}

  async list(caller: Caller, query: Record<string, unknown>, accountId?: number): Promise<ListResult> {
    const q = parseListQuery(query, { catalogue: invoiceCatalogue, customFields: new Map(), maxLimit: this.maxLimit });
    return mapList(await this.service.list(caller, q, accountId), serializeInvoice);
  }

  async ofAccounts(caller: Caller, accountIds: number[]): Promise<Map<number, Record<string, unknown>[]>> {
    const out = new Map<number, Record<string, unknown>[]>();
    for (const [id, invoices] of await this.service.ofAccounts(caller, accountIds)) out.set(id, invoices.map(serializeInvoice));
    return out;
  }

  get = async (caller: Caller, id: number) => serializeInvoice(await this.service.get(caller, id));
  create = async (caller: Caller, body: unknown, format: BodyFormat) => serializeInvoice(await this.service.create(caller, validateBody('SalesInvoiceCreate', body, format)));
  update = async (caller: Caller, id: number, body: unknown, format: BodyFormat) => serializeInvoice(await this.service.update(caller, id, validateBody('SalesInvoiceUpdate', body, format)));
  remove = async (caller: Caller, id: number) => serializeInvoice(await this.service.remove(caller, id));
}

/** `/api/v2/finance/sales_invoices`, in the accounts' style (POST /:id updates too). */
export function invoiceRoutes(v2: InvoicesV2): Router {
  return crudRoutes(v2);
}
