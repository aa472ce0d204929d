import { Knex } from 'knex';
import type { Viewer } from '../../core/caller';
import { onlyVisibleChildren } from '../../access/visibility';

export type InvoiceRow = Record<string, unknown> & {
  id: number;
  org_id: number;
  account_id: number;
  currency_code: string;
  total: string;
  amount_paid: string;
  status: string;
  is_deleted: boolean;
};

export interface LineInput {
  description: string | null;
  quantity: string;
  unit_price: string;
}

/** A stored line with its amount, rounded in SQL to the invoice currency's minor units. */
export interface LineRow extends LineInput {
  invoice_id: number;
  amount: string;
}

/** The only SQL of sales invoices and their lines. */
export class InvoiceRepo {
  constructor(readonly knex: Knex) {}

  /** The organisation's invoices whose account the viewer may see. */
  scoped(viewer: Viewer, db: Knex = this.knex): Knex.QueryBuilder {
    return onlyVisibleChildren(db('sales_invoices').where('sales_invoices.org_id', viewer.orgId), viewer, 'sales_invoices');
  }

  find(db: Knex, viewer: Viewer, id: number, forUpdate = false): Promise<InvoiceRow | undefined> {
    const q = this.scoped(viewer, db).where('sales_invoices.id', id).first('sales_invoices.*');
    return forUpdate ? q.forUpdate() : q;
  }

  liveOfAccounts(viewer: Viewer, accountIds: number[]): Promise<InvoiceRow[]> {
    return this.scoped(viewer).whereIn('sales_invoices.account_id', accountIds).where('sales_invoices.is_deleted', false).orderBy('sales_invoices.id').select('sales_invoices.*');
  }

  async insert(db: Knex, values: Record<string, unknown>): Promise<number> {
    const [row] = await db('sales_invoices').insert(values).returning('id');
    return row.id as number;
  }

  async update(db: Knex, orgId: number, id: number, values: Record<string, unknown>): Promise<void> {
    await db('sales_invoices').where({ org_id: orgId, id }).update(values);
  }

  /** Replaces the lines and sets the total from them (in SQL, rounded to the currency). */
  async replaceLines(db: Knex, orgId: number, id: number, lines: LineInput[]): Promise<void> {
    await db('sales_invoice_lines').where({ org_id: orgId, invoice_id: id }).delete();
    if (lines.length) await db('sales_invoice_lines').insert(lines.map((l, i) => ({ ...l, org_id: orgId, invoice_id: id, position: i + 1 })));
    await db.raw(
      `UPDATE sales_invoices si SET total = coalesce((SELECT round(sum(l.quantity * l.unit_price), cu.minor_units::int)
         FROM sales_invoice_lines l WHERE l.org_id = si.org_id AND l.invoice_id = si.id), 0)
       FROM currencies cu WHERE cu.org_id = si.org_id AND cu.code = si.currency_code AND si.org_id = ? AND si.id = ?`,
      [orgId, id],
    );
  }

  async status(db: Knex, orgId: number, id: number): Promise<string> {
    const [row] = await db('sales_invoices').where({ org_id: orgId, id }).select('status');
    return row.status as string;
  }

  async markPaid(db: Knex, orgId: number, id: number): Promise<void> {
    await db('sales_invoices').where({ org_id: orgId, id }).update({ amount_paid: db.ref('total') });
  }

  /** Status follows the amounts unless void; written only when it changes, so the version does not move for nothing. */
  async settleStatus(db: Knex, orgId: number, id: number, isVoid: boolean): Promise<void> {
    const next = "CASE WHEN ?::boolean THEN 'void' WHEN amount_paid >= total AND total > 0 THEN 'paid' ELSE 'open' END";
    await db.raw(`UPDATE sales_invoices SET status = ${next} WHERE org_id = ? AND id = ? AND status <> ${next}`, [isVoid, orgId, id, isVoid]);
  }

  lines(db: Knex, orgId: number, invoiceIds: number[]): Promise<LineRow[]> {
    return db('sales_invoice_lines')
      .join('sales_invoices as si', function () {
        this.on('si.org_id', 'sales_invoice_lines.org_id').andOn('si.id', 'sales_invoice_lines.invoice_id');
      })
      .join('currencies as cu', function () {
        this.on('cu.org_id', 'si.org_id').andOn('cu.code', 'si.currency_code');
      })
      .where('sales_invoice_lines.org_id', orgId)
      .whereIn('sales_invoice_lines.invoice_id', invoiceIds)
      .orderBy(['sales_invoice_lines.invoice_id', 'sales_invoice_lines.position'])
      .select(
        'sales_invoice_lines.invoice_id',
        'sales_invoice_lines.description',
        'sales_invoice_lines.quantity',
        'sales_invoice_lines.unit_price',
        db.raw('round(sales_invoice_lines.quantity * sales_invoice_lines.unit_price, cu.minor_units::int)::text AS amount'),
      );
  }
}
