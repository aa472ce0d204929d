/**
 * How each resource's `fields.ts` lists its fields once: an ordered array of `FieldSpec`s (the
 * query catalogue's own tuple) whose options carry every flag. The query catalogue, the writable
 * set and the wire order all derive from that one list, so a new flag is one more optional key here
 * and one more derivation below.
 */
import { Catalogue, FieldDef, FieldSpec, Via, writableNames } from '../query/catalogue';
import type { ScalarType } from '../core/values';

export interface FieldFlags {
  /** The column when it differs from the wire name (comments' `commented_by` is `author_id`). */
  column?: string;
  nullable?: boolean;
  /** False for read-only fields (ids, timestamps, computed values): never taken from a body. */
  writable?: boolean;
  /** False for fields that are stored but never shown. */
  serialized?: boolean;
  /** False for fields on the wire that are not a column of the table (lines, outstanding, download_url). */
  stored?: boolean;
  /** Not in list responses (shown on the single record only). */
  listOmitted?: boolean;
  /** Default true for stored fields. */
  filterable?: boolean;
  /** Default true for stored fields. */
  sortable?: boolean;
  /** A filter answered elsewhere than a column of the table (see query/apply-via.ts). */
  via?: Via;
  /** The wire value is a list (of `type`) or an object rather than one scalar. */
  shape?: 'array' | 'object';
}

/** One field: wire name (the column too, unless `column` says otherwise), its scalar type, its flags. */
export type ResourceSpec = [name: string, type: ScalarType, opts?: FieldFlags];

/** The query catalogue: stored fields, then via-filters; filterable, and sortable unless a via, unless said otherwise. */
export function catalogueOf(resource: string, table: string, specs: readonly ResourceSpec[], customFieldsColumn?: string): Catalogue {
  // Column fields first, then filters answered through other tables (their order in messages).
  const fields: FieldDef[] = [...specs.filter(([, , o]) => o?.stored !== false && !o?.via), ...specs.filter(([, , o]) => o?.via)]
    .map(([name, type, o]) => ({
      name,
      column: o?.column ?? name,
      type,
      filterable: o?.filterable ?? true,
      sortable: o?.sortable ?? o?.via === undefined,
      nullable: o?.nullable ?? true,
      ...(o?.via ? { via: o.via } : {}),
    }));
  return { resource, table, fields, ...(customFieldsColumn ? { customFieldsColumn } : {}) };
}

/** Names a client may write: stored, and not marked `writable: false`. */
export function writableOf(specs: readonly ResourceSpec[]): ReadonlySet<string> {
  return writableNames(specs.filter(([, , o]) => o?.stored !== false) as FieldSpec[]);
}

/** The wire order of a record's keys (every field not marked `serialized: false`). */
export function wireOrder(specs: readonly ResourceSpec[]): readonly string[] {
  return specs.filter(([, , o]) => o?.serialized !== false).map(([n]) => n);
}

/** The column of each stored field, by wire name (repos name columns only through this). */
export function columnsOf(specs: readonly ResourceSpec[]): ReadonlyMap<string, string> {
  return new Map(specs.filter(([, , o]) => o?.stored !== false).map(([n, , o]) => [n, o?.column ?? n]));
}

/**
 * A stored row → its record by wire name (each field read from its `column`), values as stored
 * (dates as Date): what a dialect's serializer starts from. `computed` gives non-column fields.
 */
export function recordOf(specs: readonly ResourceSpec[], row: object, computed: Record<string, unknown> = {}): Record<string, unknown> {
  const source = row as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [name, , o] of specs) {
    if (o?.serialized === false) continue;
    out[name] = name in computed ? computed[name] : (source[o?.column ?? name] ?? null);
  }
  return out;
}
