import type { CompanyWire } from '../../orgs/companies';
import type { AccountBalance } from '../../money/balance';
import { LIST_OMITTED, SERIALIZED_FIELDS, WIRE_ORDER } from './fields';
import type { AccountRow, Related } from './repo';
import type { AccountBatch, AccountView } from './types';
import { FORMAT } from './values';

/**
 * An account as plain data: every shown field by its name, in the catalogue's order, values as JSON
 * carries them (related sets as lists, the company as an object). Every dialect starts from this; the
 * v2 dialect also writes list items as JSON text directly with the same writers (its serialize.ts).
 */

export type Balance = AccountBalance;

export interface SerializeContext {
  companies: Map<number, CompanyWire>;
  related: Related;
  /** Present for a single record; lists carry no balances (as the seed shows). */
  balance?: Balance;
}

type Writer = (row: AccountRow, ctx: SerializeContext) => unknown;

/** How each wire key is produced, worked out once: a list serializes a million rows through these. */
function writerFor(key: string): Writer | undefined {
  switch (key) {
    case 'balance':
      return (_row, ctx) => ctx.balance!.balance;
    case 'converted_balance':
      return (_row, ctx) => ctx.balance!.converted_balance;
    case 'industries':
      return (row, ctx) => ctx.related.industries.get(row.id) ?? [];
    case 'tags':
      // Administrate prints null for an account without tags.
      return (row, ctx) => ctx.related.tags.get(row.id) ?? null;
    case 'assigned_to':
      return (row, ctx) => ctx.related.assignees.get(row.id) ?? [];
    case 'teams':
      return (row, ctx) => ctx.related.teams.get(row.id) ?? [];
    case 'company':
      return (row, ctx) => ctx.companies.get(row.company_id) ?? null;
    case 'default_price_level':
      // Price levels are not modelled: the id is stored as sent, the expanded object is never known.
      return () => null;
    case 'custom_fields':
      return (row) => row.custom_fields ?? {};
    default: {
      if (!SERIALIZED_FIELDS.has(key)) return undefined;
      const format = FORMAT.get(key)!;
      return (row) => format(row[key]);
    }
  }
}

const FULL = WIRE_ORDER.flatMap((key) => {
  const w = writerFor(key);
  return w ? [[key, w] as const] : [];
});
const LISTED = FULL.filter(([key]) => !LIST_OMITTED.has(key));

/** A stored row → the plain record (a single read's when ctx has a balance, else a list item's). */
export function accountRecord(row: AccountRow, ctx: SerializeContext): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, write] of ctx.balance !== undefined ? FULL : LISTED) out[key] = write(row, ctx);
  return out;
}

/** A single read's view → the full record. */
export function accountBody(view: AccountView): Record<string, unknown> {
  return accountRecord(view.row, view);
}

/** A list batch → its items as records, each as a list shows it. */
export function accountBatchObjects(batch: AccountBatch): Record<string, unknown>[] {
  return batch.rows.map((row) => accountRecord(row, batch));
}
