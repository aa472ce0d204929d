import { Knex } from 'knex';
import type { Viewer } from '../../core/caller';
import { FieldProblem, NotFoundError, ValidationError } from '../../core/errors';
import { parseScalar } from '../../core/values';
import { visibleAccount } from '../../access/account-scope';
import { companyExists } from '../../access/references';
import { softDeleteColumns, deletedNow } from '../../access/soft-delete';
import { listRows, ListResult } from '../../query/list';
import { ListQuery } from '../../query/parse';
import { parseAmount, subtract } from '../../money/amount';
import { currencyInfo } from '../../money/rates';
import { INVOICE_WRITABLE, invoiceCatalogue } from './fields';
import { InvoiceRepo, InvoiceRow, LineInput } from './repo';

export type { InvoiceRow } from './repo';

/** An invoice as the core hands it out: amounts are exact decimal texts, `minor_units` says how to round them. */
export type Invoice = InvoiceRow & {
  lines: { description: string | null; quantity: string; unit_price: string; amount: string }[];
  outstanding: string;
  minor_units: number;
};

/** A write's input after the dialect read its body (openapi-checked: types and required fields hold). */
export type InvoiceInput = Record<string, unknown>;

// Checked by hand (not copied as sent): references, currency, amounts, lines, status.
const CHECKED = new Set(['account_id', 'company_id', 'currency_code', 'total', 'amount_paid', 'status']);
const COPIED = [...INVOICE_WRITABLE].filter((k) => !CHECKED.has(k));
// numeric(17,4): what a line's quantity and unit price may hold.
const LINE_NUMBER = /^-?\d{1,13}(\.\d{1,4})?$/;

/** Sales invoices: what accounts owe. Amounts are exact decimals end to end. */
export class InvoiceService {
  private readonly repo: InvoiceRepo;

  constructor(private readonly knex: Knex) {
    this.repo = new InvoiceRepo(knex);
  }

  /** Live invoices of several accounts in one query (for `?expand=invoices`). */
  async ofAccounts(viewer: Viewer, accountIds: number[]): Promise<Map<number, Invoice[]>> {
    const out = new Map<number, Invoice[]>();
    if (!accountIds.length) return out;
    for (const inv of await this.load(this.knex, viewer.orgId, await this.repo.liveOfAccounts(viewer, accountIds))) {
      out.set(inv.account_id, [...(out.get(inv.account_id) ?? []), inv]);
    }
    return out;
  }

  async get(viewer: Viewer, id: number): Promise<Invoice> {
    const row = await this.repo.find(this.knex, viewer, id);
    if (!row) throw new NotFoundError('sales invoice', id);
    return (await this.load(this.knex, viewer.orgId, [row]))[0];
  }

  /** `accountId` narrows to one account's invoices (the `/crm/accounts/:id/invoices` sub-resource). */
  list(viewer: Viewer, q: ListQuery, accountId?: number): Promise<ListResult<Invoice>> {
    const scoped = this.repo.scoped(viewer);
    if (accountId !== undefined) scoped.where('sales_invoices.account_id', accountId);
    return listRows<InvoiceRow, Invoice>({ knex: this.knex, scoped, catalogue: invoiceCatalogue, q, softDelete: true, serialize: (rows, db) => this.load(db, viewer.orgId, rows) });
  }

  async create(viewer: Viewer, input: InvoiceInput): Promise<Invoice> {
    const id = await this.knex.transaction(async (trx) => {
      const { lines, columns } = await this.prepare(trx, viewer, input, undefined);
      if (lines === undefined && columns.total === undefined) throw new ValidationError([{ field: 'total', message: 'is required when no lines are given' }]);
      const id = await this.repo.insert(trx, { ...columns, total: columns.total ?? '0', org_id: viewer.orgId, created_by: viewer.id });
      await this.finish(trx, viewer.orgId, id, lines, input.status as string | undefined);
      return id;
    });
    return this.get(viewer, id);
  }

  async update(viewer: Viewer, id: number, input: InvoiceInput): Promise<Invoice> {
    await this.knex.transaction(async (trx) => {
      const existing = await this.repo.find(trx, viewer, id, true);
      if (!existing) throw new NotFoundError('sales invoice', id);
      const { lines, columns } = await this.prepare(trx, viewer, input, existing);
      Object.assign(columns, softDeleteColumns(trx, columns.is_deleted as boolean | undefined, existing.is_deleted));
      if (Object.keys(columns).length) await this.repo.update(trx, viewer.orgId, id, columns);
      await this.finish(trx, viewer.orgId, id, lines, input.status as string | undefined);
    });
    return this.get(viewer, id);
  }

  async remove(viewer: Viewer, id: number): Promise<Invoice> {
    const existing = await this.repo.find(this.knex, viewer, id);
    if (!existing) throw new NotFoundError('sales invoice', id);
    if (!existing.is_deleted) await this.repo.update(this.knex, viewer.orgId, id, deletedNow(this.knex));
    return this.get(viewer, id);
  }

  /** References checked against the viewer's organisation; amounts checked against the currency. */
  private async prepare(db: Knex, viewer: Viewer, input: InvoiceInput, existing: InvoiceRow | undefined) {
    const details: FieldProblem[] = [];
    const columns: Record<string, unknown> = {};
    for (const k of COPIED) if (input[k] !== undefined && k !== 'lines') columns[k] = input[k];
    if (input.account_id !== undefined) {
      if (!(await visibleAccount(db, viewer, input.account_id as number))) details.push({ field: 'account_id', message: `account ${input.account_id} does not exist` });
      else columns.account_id = input.account_id;
    }
    if (input.company_id !== undefined) {
      if (!(await companyExists(db, viewer.orgId, input.company_id as number))) details.push({ field: 'company_id', message: `company ${input.company_id} does not exist` });
      else columns.company_id = input.company_id;
    }
    const currencies = await currencyInfo(db, viewer.orgId);
    const code = input.currency_code !== undefined ? String(input.currency_code).toUpperCase() : existing?.currency_code;
    const cur = code ? currencies.get(code) : undefined;
    if (input.currency_code !== undefined) {
      if (!cur) details.push({ field: 'currency_code', message: `"${input.currency_code}" is not a currency of this organisation` });
      else columns.currency_code = code;
    }
    const minor = cur?.minor_units ?? 2;
    for (const k of ['total', 'amount_paid'] as const) {
      if (input[k] === undefined) continue;
      const r = parseAmount(input[k], minor);
      if ('error' in r) details.push({ field: k, message: r.error });
      else if (r.value.startsWith('-')) details.push({ field: k, message: 'must not be negative' });
      else columns[k] = r.value;
    }
    if (input.lines !== undefined && input.total !== undefined) details.push({ field: 'total', message: 'is computed from lines; send one or the other' });
    let lines: LineInput[] | undefined;
    if (input.lines !== undefined) {
      lines = (input.lines as Record<string, unknown>[]).map((l, i) => {
        const number = (k: 'quantity' | 'unit_price') => {
          const text = String(l[k] ?? '');
          const typed = parseScalar('decimal', text);
          if ('error' in typed || !LINE_NUMBER.test(text)) details.push({ field: `lines[${i}].${k}`, message: 'must be a decimal with at most 4 decimal places' });
          return text;
        };
        return { description: (l.description as string) ?? null, quantity: number('quantity'), unit_price: number('unit_price') };
      });
    }
    if (input.status === 'paid' && input.amount_paid !== undefined) details.push({ field: 'status', message: 'paid sets amount_paid to the total; send one or the other' });
    if (details.length) throw new ValidationError(details);
    return { lines, columns };
  }

  /**
   * Lines replace the old ones and set the total; the status follows the amounts unless the
   * invoice is void. amount_paid > total is refused by the sales_invoices_paid_range check (a 400 naming amount_paid).
   */
  private async finish(db: Knex, orgId: number, id: number, lines: LineInput[] | undefined, status: string | undefined) {
    if (lines) await this.repo.replaceLines(db, orgId, id, lines);
    const current = await this.repo.status(db, orgId, id);
    if (status === 'paid') await this.repo.markPaid(db, orgId, id);
    await this.repo.settleStatus(db, orgId, id, status === 'void' || (status === undefined && current === 'void'));
  }

  /** Rows → invoices: their lines, what they leave owing, their currency's minor units. */
  private async load(db: Knex, orgId: number, rows: InvoiceRow[]): Promise<Invoice[]> {
    if (rows.length === 0) return [];
    const currencies = await currencyInfo(db, orgId);
    const linesBy = new Map<number, Invoice['lines']>();
    for (const l of await this.repo.lines(db, orgId, rows.map((r) => r.id))) {
      linesBy.set(l.invoice_id, [...(linesBy.get(l.invoice_id) ?? []), { description: l.description, quantity: l.quantity, unit_price: l.unit_price, amount: l.amount }]);
    }
    return rows.map((r) => ({
      ...r,
      lines: linesBy.get(r.id) ?? [],
      outstanding: r.status === 'void' ? '0' : subtract(r.total, r.amount_paid),
      minor_units: currencies.get(r.currency_code)?.minor_units ?? 2,
    }));
  }
}
