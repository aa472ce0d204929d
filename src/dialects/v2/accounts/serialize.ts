import type { CompanyWire } from '../../../orgs/companies';
import type { AccountBalance } from '../../../money/balance';
import { ACCOUNT_FIELDS, LIST_OMITTED, SERIALIZED_FIELDS, WIRE_ORDER } from '../../../domain/accounts/fields';
import type { AccountRow, Related } from '../../../domain/accounts/repo';
import type { AccountBatch, AccountView } from '../../../domain/accounts/types';
import { FORMAT } from '../../../domain/accounts/values';
import type { ScalarType } from '../../../query/catalogue';

/** The v2 wire form of accounts: keys in the catalogue's order, lists written as JSON text directly. */

export type Balance = AccountBalance;

export interface SerializeContext {
  companies: Map<number, CompanyWire>;
  related: Related;
  /** Present for a single record; lists carry no balances (as the seed shows). */
  balance?: Balance;
}

const TYPE_OF = new Map<string, ScalarType>(ACCOUNT_FIELDS.map((f) => [f.name, f.type]));

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

/** The same, writing JSON text directly: no object per row. Lists stream a million rows through it. */
type TextWriter = (row: AccountRow, ctx: SerializeContext) => string;

function textWriter(key: string, write: Writer): TextWriter {
  const type = TYPE_OF.get(key);
  if (type === 'datetime') {
    const length = key === 'updated' ? 23 : 19;
    return (row) => {
      const v = row[key] as Date | null;
      return v == null ? 'null' : `"${(v instanceof Date ? v : new Date(v)).toISOString().slice(0, length)}"`;
    };
  }
  return (row, ctx) => {
    const v = write(row, ctx);
    return v === null || v === undefined ? 'null' : JSON.stringify(v);
  };
}

const LISTED_TEXT = LISTED.map(([key, write], i) => [`${i ? ',' : '{'}"${key}":`, textWriter(key, write)] as const);

/** A list item as JSON text, byte for byte what JSON.stringify(serializeAccount(row, ctx)) gives. */
export function accountListJson(row: AccountRow, ctx: SerializeContext): string {
  let out = '';
  for (const [prefix, write] of LISTED_TEXT) out += prefix + write(row, ctx);
  return `${out}}`;
}

/** A stored row → the Administrate v2 JSON object, keys in the documented order. */
export function serializeAccount(row: AccountRow, ctx: SerializeContext): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, write] of ctx.balance !== undefined ? FULL : LISTED) out[key] = write(row, ctx);
  return out;
}

/** A single read's view → the full v2 record. */
export function accountBody(view: AccountView): Record<string, unknown> {
  return serializeAccount(view.row, view);
}

/** A list batch → its items as JSON text, each as the list shows it. */
export function accountBatchJson(batch: AccountBatch): string[] {
  return batch.rows.map((row) => accountListJson(row, batch));
}

/** A list batch → its items as objects (the CLI's CSV export). */
export function accountBatchObjects(batch: AccountBatch): Record<string, unknown>[] {
  return batch.rows.map((row) => serializeAccount(row, batch));
}
