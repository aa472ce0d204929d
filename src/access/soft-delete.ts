import { Knex } from 'knex';

/**
 * The columns a write sets when it moves `is_deleted` (contacts, invoices, accounts): `deleted_at`
 * follows the flag, stamped only when a live record is deleted, cleared when one is restored.
 */
export function softDeleteColumns(db: Knex, isDeleted: boolean | undefined, wasDeleted: boolean): Record<string, unknown> {
  if (isDeleted === true && !wasDeleted) return { deleted_at: db.fn.now() };
  if (isDeleted === false) return { deleted_at: null };
  return {};
}

/** The columns that soft-delete a record now. */
export function deletedNow(db: Knex): { is_deleted: true; deleted_at: Knex.Raw } {
  return { is_deleted: true, deleted_at: db.fn.now() };
}

