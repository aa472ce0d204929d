import { Knex } from 'knex';
import { Caller } from '../../auth/basic';
import { BodyFormat } from '../../http/body';
import { ErrorDetail, NotFoundError, ValidationError } from '../../http/errors';
import { wireDate, wireDateTime } from '../../http/wire';
import { validateBody } from '../../openapi/validator';
import { parseListQuery } from '../../query/parse';
import { listRows, ListResult } from '../../query/list';
import { parseAmount, subtract, toWire } from '../../money/amount';
import { currencyInfo, CurrencyInfo } from '../../money/rates';
import { invoiceCatalogue } from './fields';
import { accountVisibleSql, onlyVisibleChildren } from '../../crm/access/visibility';

type Row = Record<string, unknown> & { id: number; org_id: number; currency_code: string; total: string; amount_paid: string };
interface Line {
  description: string | null;
  quantity: string;
  unit_price: string;
}

const QTY = /^-?\d{1,13}(\.\d{1,4})?$/;

/** Sales invoices: what accounts owe. Amounts are exact decimals end to end. */
export class InvoiceService {
  constructor(private readonly knex: Knex, private readonly maxLimit: number) {}

  /** The organisation's invoices whose account the caller may see. */
  private scoped(caller: Caller, db: Knex = this.knex) {
    return onlyVisibleChildren(db('sales_invoices').where('sales_invoices.org_id', caller.orgId), caller, 'sales_invoices');
  }

  /** Live invoices of several accounts in one query (for `?expand=invoices`). */
  async ofAccounts(caller: Caller, accountIds: number[]): Promise<Map<number, Record<string, unknown>[]>> {
    const out = new Map<number, Record<string, unknown>[]>();
    if (!accountIds.length) return out;
    const rows: Row[] = await this.scoped(caller).whereIn('sales_invoices.account_id', accountIds).where('sales_invoices.is_deleted', false).orderBy('sales_invoices.id').select('sales_invoices.*');
    for (const inv of await this.serialize(this.knex, caller.orgId, rows)) {
      const id = inv.account_id as number;
      out.set(id, [...(out.get(id) ?? []), inv]);
    }
    return out;
  }

  async get(caller: Caller, id: number) {
    const row = await this.find(this.knex, caller, id);
    if (!row) throw new NotFoundError('sales invoice', id);
    return (await this.serialize(this.knex, caller.orgId, [row]))[0];
  }

  /** `accountId` narrows to one account's invoices (the `/crm/accounts/:id/invoices` sub-resource). */
  async list(caller: Caller, query: Record<string, unknown>, accountId?: number): Promise<ListResult> {
    const q = parseListQuery(query, { catalogue: invoiceCatalogue, customFields: new Map(), maxLimit: this.maxLimit });
    const scoped = this.scoped(caller);
    if (accountId !== undefined) scoped.where('sales_invoices.account_id', accountId);
    return listRows<Row>({
      knex: this.knex,
      scoped,
      catalogue: invoiceCatalogue,
      q,
      softDelete: true,
      serialize: (rows, db) => this.serialize(db, caller.orgId, rows),
    });
  }

  async create(caller: Caller, body: unknown, format: BodyFormat) {
    const input = validateBody('SalesInvoiceCreate', body, format);
    const id = await this.knex.transaction(async (trx) => {
      const values = await this.prepare(trx, caller, input, undefined);
      if (values.lines === undefined && values.total === undefined) {
        throw new ValidationError([{ field: 'total', message: 'is required when no lines are given' }]);
      }
      const { lines, ...columns } = values;
      const [row] = await trx('sales_invoices')
        .insert({ ...columns, total: columns.total ?? '0', org_id: caller.orgId, created_by: caller.id })
        .returning('id');
      await this.finish(trx, caller.orgId, row.id, lines as Line[] | undefined, input.status as string | undefined);
      return row.id as number;
    });
    return this.get(caller, id);
  }

  async update(caller: Caller, id: number, body: unknown, format: BodyFormat) {
    const input = validateBody('SalesInvoiceUpdate', body, format);
    await this.knex.transaction(async (trx) => {
      const existing = await this.find(trx, caller, id, true);
      if (!existing) throw new NotFoundError('sales invoice', id);
      const values = await this.prepare(trx, caller, input, existing);
      const { lines, ...columns } = values;
      if (values.is_deleted === true && !existing.is_deleted) columns.deleted_at = trx.fn.now();
      if (values.is_deleted === false) columns.deleted_at = null;
      if (Object.keys(columns).length) await trx('sales_invoices').where({ org_id: caller.orgId, id }).update(columns);
      await this.finish(trx, caller.orgId, id, lines as Line[] | undefined, input.status as string | undefined);
    });
    return this.get(caller, id);
  }

  async remove(caller: Caller, id: number) {
    const existing = await this.find(this.knex, caller, id);
    if (!existing) throw new NotFoundError('sales invoice', id);
    if (!existing.is_deleted) await this.knex('sales_invoices').where({ org_id: caller.orgId, id }).update({ is_deleted: true, deleted_at: this.knex.fn.now() });
    return this.get(caller, id);
  }

  private find(db: Knex, caller: Caller, id: number, forUpdate = false): Promise<Row | undefined> {
    const q = this.scoped(caller, db).where('sales_invoices.id', id).first('sales_invoices.*');
    return forUpdate ? q.forUpdate() : q;
  }

  /** References checked against the caller's organisation; amounts checked against the currency. */
  private async prepare(db: Knex, caller: Caller, input: Record<string, unknown>, existing: Row | undefined) {
    const details: ErrorDetail[] = [];
    const out: Record<string, unknown> = {};
    for (const k of ['date', 'due_date', 'reference', 'description', 'is_deleted']) if (input[k] !== undefined) out[k] = input[k];
    if (input.account_id !== undefined) {
      const account = db('accounts').where({ 'accounts.org_id': caller.orgId, 'accounts.id': input.account_id });
      if (caller.role !== 'admin') {
        const v = accountVisibleSql(caller, 'accounts.id', 'accounts.created_by');
        account.whereRaw(v.sql, v.bindings);
      }
      if (!(await account.first('id'))) {
        details.push({ field: 'account_id', message: `account ${input.account_id} does not exist` });
      } else out.account_id = input.account_id;
    }
    if (input.company_id !== undefined) {
      if (!(await db('companies').where({ org_id: caller.orgId, id: input.company_id }).first('id'))) {
        details.push({ field: 'company_id', message: `company ${input.company_id} does not exist` });
      } else out.company_id = input.company_id;
    }
    const currencies = await currencyInfo(db, caller.orgId);
    const code = input.currency_code !== undefined ? String(input.currency_code).toUpperCase() : existing?.currency_code;
    const cur = code ? currencies.get(code) : undefined;
    if (input.currency_code !== undefined) {
      if (!cur) details.push({ field: 'currency_code', message: `"${input.currency_code}" is not a currency of this organisation` });
      else out.currency_code = code;
    }
    const minor = cur?.minor_units ?? 2;
    for (const k of ['total', 'amount_paid'] as const) {
      if (input[k] === undefined) continue;
      const r = parseAmount(input[k], minor);
      if ('error' in r) details.push({ field: k, message: r.error });
      else if (r.value.startsWith('-')) details.push({ field: k, message: 'must not be negative' });
      else out[k] = r.value;
    }
    if (input.lines !== undefined && input.total !== undefined) details.push({ field: 'total', message: 'is computed from lines; send one or the other' });
    if (input.lines !== undefined) {
      const lines: Line[] = [];
      for (const [i, l] of (input.lines as Record<string, unknown>[]).entries()) {
        const q = String(l.quantity ?? '');
        const p = String(l.unit_price ?? '');
        if (!QTY.test(q)) details.push({ field: `lines[${i}].quantity`, message: 'must be a decimal with at most 4 decimal places' });
        if (!QTY.test(p)) details.push({ field: `lines[${i}].unit_price`, message: 'must be a decimal with at most 4 decimal places' });
        lines.push({ description: (l.description as string) ?? null, quantity: q, unit_price: p });
      }
      out.lines = lines;
    }
    if (input.status === 'paid') {
      if (input.amount_paid !== undefined) details.push({ field: 'status', message: 'paid sets amount_paid to the total; send one or the other' });
    }
    if (details.length) throw new ValidationError(details);
    return out;
  }

  /**
   * Lines replace the old ones and set the total (in SQL, rounded to the currency); the status
   * follows the amounts unless the invoice is void.
   */
  private async finish(db: Knex, orgId: number, id: number, lines: Line[] | undefined, status: string | undefined) {
    if (lines) {
      await db('sales_invoice_lines').where({ org_id: orgId, invoice_id: id }).delete();
      if (lines.length) await db('sales_invoice_lines').insert(lines.map((l, i) => ({ ...l, org_id: orgId, invoice_id: id, position: i + 1 })));
      await db.raw(
        `UPDATE sales_invoices si SET total = coalesce((SELECT round(sum(l.quantity * l.unit_price), cu.minor_units::int)
           FROM sales_invoice_lines l WHERE l.org_id = si.org_id AND l.invoice_id = si.id), 0)
         FROM currencies cu WHERE cu.org_id = si.org_id AND cu.code = si.currency_code AND si.org_id = ? AND si.id = ?`,
        [orgId, id],
      );
    }
    // amount_paid > total is refused by the sales_invoices_paid_range check (a 400 naming amount_paid).
    const [row] = await db('sales_invoices').where({ org_id: orgId, id }).select('status');
    if (status === 'paid') await db('sales_invoices').where({ org_id: orgId, id }).update({ amount_paid: db.ref('total') });
    const isVoid = status === 'void' || (status === undefined && row.status === 'void');
    // Only when it changes, so the version does not move for nothing.
    const next = "CASE WHEN ?::boolean THEN 'void' WHEN amount_paid >= total AND total > 0 THEN 'paid' ELSE 'open' END";
    await db.raw(`UPDATE sales_invoices SET status = ${next} WHERE org_id = ? AND id = ? AND status <> ${next}`, [isVoid, orgId, id, isVoid]);
  }

  private async serialize(db: Knex, orgId: number, rows: Row[]) {
    if (rows.length === 0) return [];
    const currencies = await currencyInfo(db, orgId);
    const lineRows = await db('sales_invoice_lines')
      .join('sales_invoices as si', function () {
        this.on('si.org_id', 'sales_invoice_lines.org_id').andOn('si.id', 'sales_invoice_lines.invoice_id');
      })
      .join('currencies as cu', function () {
        this.on('cu.org_id', 'si.org_id').andOn('cu.code', 'si.currency_code');
      })
      .where('sales_invoice_lines.org_id', orgId)
      .whereIn('sales_invoice_lines.invoice_id', rows.map((r) => r.id))
      .orderBy(['sales_invoice_lines.invoice_id', 'sales_invoice_lines.position'])
      .select(
        'sales_invoice_lines.invoice_id',
        'sales_invoice_lines.description',
        'sales_invoice_lines.quantity',
        'sales_invoice_lines.unit_price',
        db.raw('round(sales_invoice_lines.quantity * sales_invoice_lines.unit_price, cu.minor_units::int)::text AS amount'),
      );
    const linesBy = new Map<number, unknown[]>();
    for (const l of lineRows) {
      const list = linesBy.get(l.invoice_id) ?? [];
      list.push({ description: l.description, quantity: toWire(l.quantity, 4), unit_price: toWire(l.unit_price, 4), amount: Number(l.amount) });
      linesBy.set(l.invoice_id, list);
    }
    return rows.map((r) => serializeInvoice(r, currencies.get(r.currency_code), linesBy.get(r.id) ?? []));
  }
}

function serializeInvoice(r: Row, cur: CurrencyInfo | undefined, lines: unknown[]) {
  const minor = cur?.minor_units ?? 2;
  const outstanding = r.status === 'void' ? '0' : subtract(r.total, r.amount_paid);
  return {
    id: r.id,
    account_id: r.account_id,
    company_id: r.company_id,
    currency_code: r.currency_code,
    date: wireDate(r.date as string),
    due_date: wireDate(r.due_date as string | null),
    reference: r.reference ?? null,
    description: r.description ?? null,
    lines,
    total: toWire(r.total, minor),
    amount_paid: toWire(r.amount_paid, minor),
    outstanding: toWire(outstanding, minor),
    status: r.status,
    is_deleted: r.is_deleted,
    created: wireDateTime(r.created as Date),
    updated: wireDateTime(r.updated as Date, true),
  };
}
