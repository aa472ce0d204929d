import { formatDate, formatDateTime } from '../../core/values';
import type { ScalarType } from '../../query/catalogue';
import { ACCOUNT_FIELDS } from './fields';

/** How a stored column value becomes plain data (what responses and history show), per field. */
function formatterFor(name: string, type: ScalarType | undefined): (value: unknown) => unknown {
  if (type === 'datetime') {
    // `created` has Administrate's second precision; `updated` keeps milliseconds for incremental sync.
    const millis = name === 'updated';
    return (v) => (v === null || v === undefined ? null : formatDateTime(v as Date, millis));
  }
  if (type === 'date') return (v) => (v === null || v === undefined ? null : formatDate(v as string));
  return (v) => v ?? null;
}

/** Worked out once: a list formats a million rows through these. */
export const FORMAT: ReadonlyMap<string, (value: unknown) => unknown> = new Map(ACCOUNT_FIELDS.map((f) => [f.name, formatterFor(f.name, f.type)]));

/** One stored column value as plain data (datetimes and dates formatted). */
export function plainValue(name: string, value: unknown): unknown {
  return (FORMAT.get(name) ?? formatterFor(name, undefined))(value);
}
