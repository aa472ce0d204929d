import { ACCOUNT_FIELDS } from '../../../domain/accounts/fields';
import type { AccountRow } from '../../../domain/accounts/repo';
import type { AccountBatch, AccountJsonBatch } from '../../../domain/accounts/types';
import { companyJsonOf, spliceListItem } from '../../../domain/accounts/record-sql';
import { accountBatchObjects, accountBody, accountRecord, LISTED, SerializeContext, Writer } from '../../../domain/accounts/record';
import type { ScalarType } from '../../../query/catalogue';

/**
 * The v2 wire form of accounts: the core's plain record (src/domain/accounts/record.ts) is already in
 * the documented key order; list items are written as JSON text directly, with no object per row.
 */
export { accountBatchObjects, accountBody };
export type { Balance, SerializeContext } from '../../../domain/accounts/record';

/** A stored row → the Administrate v2 JSON object, keys in the documented order. */
export const serializeAccount = accountRecord;

const TYPE_OF = new Map<string, ScalarType>(ACCOUNT_FIELDS.map((f) => [f.name, f.type]));

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

/** A list batch → its items as JSON text, each as the list shows it. */
export function accountBatchJson(batch: AccountBatch): string[] {
  return batch.rows.map((row) => accountListJson(row, batch));
}

/** A batch whose items PostgreSQL wrote → the items' text, the related sets and company put in. */
export function accountJsonBatchText(batch: AccountJsonBatch): string[] {
  const ctx = { related: batch.related, companyJson: companyJsonOf(batch.companies) };
  return batch.rows.map((row) => spliceListItem(row, ctx));
}

