import { AccountRow } from './repo';

/**
 * "A write that changes nothing changes nothing": these helpers keep only what differs from the
 * stored row, so an identical PUT, upsert, bulk item or re-import moves no version, ETag or
 * `updated` and writes no history. Values compare in their stored form (the pg/PGlite parsers
 * give text, integers, booleans and 'YYYY-MM-DD' dates as the validated input has them).
 */
function same(stored: unknown, given: unknown): boolean {
  if (stored === given) return true;
  if ((stored === null || stored === undefined) && (given === null || given === undefined)) return true;
  if (stored instanceof Date && typeof given === 'string') return stored.toISOString() === new Date(given).toISOString();
  return false;
}

/** The column values that differ from the stored row. */
export function changedValues(existing: AccountRow, values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) if (!same(existing[k], v)) out[k] = v;
  return out;
}

/** The custom field values that differ from the stored ones; an absent key and null are the same. */
export function changedCustomFields(stored: Record<string, unknown> | null | undefined, given: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(given)) {
    if (JSON.stringify(stored?.[k] ?? null) !== JSON.stringify(v ?? null)) out[k] = v;
  }
  return out;
}
