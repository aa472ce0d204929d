import { wireDate, wireDateTime } from '../../http/wire';
import type { ResourceSpec } from '../../domain/fields';
import type { ListResult } from '../../query/list';

/**
 * A plain record → its v2 object, keys in catalogue order. Datetimes are UTC without an offset;
 * `updated` keeps milliseconds (sync clients compare it); dates stay `YYYY-MM-DD`. `computed` gives
 * the values of fields that are not a column (lines, users, download_url...).
 */
export function serializeRecord(specs: readonly ResourceSpec[], record: object, computed: Record<string, unknown> = {}): Record<string, unknown> {
  const row = record as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [name, type, o] of specs) {
    if (o?.serialized === false) continue;
    if (name in computed) {
      out[name] = computed[name];
      continue;
    }
    const value = row[o?.column ?? name];
    if (type === 'datetime') out[name] = wireDateTime(value as Date | string | null | undefined, name === 'updated');
    else if (type === 'date') out[name] = wireDate(value as Date | string | null | undefined);
    else out[name] = value ?? null;
  }
  return out;
}

/** A list of plain records → the same list of v2 objects, batch by batch (still streamed). */
export function mapList<A, B>(list: ListResult<A>, fn: (item: A) => B): ListResult<B> {
  const source = list.batches;
  return {
    pagination: list.pagination,
    batches: (async function* () {
      for await (const batch of source) yield batch.map(fn);
    })(),
  };
}
