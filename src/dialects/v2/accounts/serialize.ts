import type { AccountJsonBatch } from '../../../domain/accounts/types';
import { accountBatchObjects, accountBody, accountRecord } from '../../../domain/accounts/record';
import { companyJsonOf, spliceListItem } from '../../../domain/accounts/record-sql';

/**
 * The v2 wire form of accounts: the core's plain record (src/domain/accounts/record.ts) is already in
 * the documented key order; list items come as JSON text written by PostgreSQL
 * (src/domain/accounts/record-sql.ts), with the related sets and company put in here.
 */
export { accountBatchObjects, accountBody };
export type { Balance, SerializeContext } from '../../../domain/accounts/record';

/** A stored row → the Administrate v2 JSON object, keys in the documented order. */
export const serializeAccount = accountRecord;

/** A batch whose items PostgreSQL wrote → the items' text, the related sets and company put in. */
export function accountJsonBatchText(batch: AccountJsonBatch): string[] {
  const ctx = { related: batch.related, companyJson: companyJsonOf(batch.companies) };
  return batch.rows.map((row) => spliceListItem(row, ctx));
}
