/**
 * How each resource's `fields.ts` lists its fields once: an ordered array of `ResourceSpec`s whose
 * options carry every flag. The full catalogue (query/catalogue.ts's one FieldDef model, shared with
 * accounts), the writable set and the wire order all derive from that one list.
 */
import { Catalogue, FieldDef, FieldSource, isStored, isWritable, Via } from '../query/catalogue';
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
  /** Where the value lives, when the other flags do not say it (see sourceOfSpec). */
  source?: FieldSource;
  /** The wire value is a list (of `type`) or an object rather than one scalar. */
  shape?: 'array' | 'object';
}

/** One field: wire name (the column too, unless `column` says otherwise), its scalar type, its flags. */
export type ResourceSpec = [name: string, type: ScalarType, opts?: FieldFlags];

/**
 * Where a spec's value lives (query/catalogue.ts's FieldSource), from its flags: a stored field is a
 * column; a field that is not stored is the custom fields object (named by the resource's
 * `customFieldsColumn`), else a related set when it is a writable list (invoices' `lines`, teams'
 * `users`, whose `via` also makes it filterable), else derived on read (`outstanding`,
 * `download_url`). A `via` that is not shown is a filter only.
 */
function sourceOfSpec([name, , o]: ResourceSpec, customFieldsColumn?: string): FieldSource {
  if (o?.source) return o.source;
  if (o?.via) return o.serialized === false ? 'filter' : 'relation';
  if (o?.stored !== false) return 'column';
  if (name === customFieldsColumn) return 'custom';
  return o?.shape === 'array' && o.writable !== false ? 'relation' : 'derived';
}

/**
 * One spec as the query catalogue's FieldDef. Columns filter and sort unless said otherwise; a
 * via-field filters but does not sort; what is not stored and has no via is neither (the query
 * parser then names it "not filterable"), as for accounts' derived fields.
 */
function fieldDefOf(spec: ResourceSpec, customFieldsColumn?: string): FieldDef {
  const [name, type, o] = spec;
  const source = sourceOfSpec(spec, customFieldsColumn);
  const queryable = source === 'column' || o?.via !== undefined;
  return {
    name,
    column: o?.column ?? name,
    type,
    filterable: o?.filterable ?? queryable,
    sortable: o?.sortable ?? (source === 'column' && o?.via === undefined),
    nullable: o?.nullable ?? source !== 'custom',
    ...(o?.via ? { via: o.via } : {}),
    ...(source !== 'column' ? { source } : {}),
    ...(o?.writable !== undefined ? { writable: o.writable } : {}),
    ...(o?.serialized !== undefined ? { serialized: o.serialized } : {}),
    ...(o?.listOmitted ? { listOmitted: true } : {}),
  };
}

/**
 * The resource's full catalogue: every field in wire order (those not shown last, as the specs list
 * them), with its source and flags, so the query parser, the serializers and the schema spec
 * (spec/schema/catalogue.spec.ts) read one model, as accounts' hand-written catalogue does.
 */
export function catalogueOf(
  resource: string,
  table: string,
  specs: readonly ResourceSpec[],
  extra: { customFieldsColumn?: string; openapi?: Catalogue['openapi']; internalColumns?: readonly string[] } = {},
): Catalogue {
  const fields = specs.map((spec) => fieldDefOf(spec, extra.customFieldsColumn));
  return {
    resource,
    table,
    fields,
    ...(extra.customFieldsColumn ? { customFieldsColumn: extra.customFieldsColumn } : {}),
    ...(extra.openapi ? { openapi: extra.openapi } : {}),
    ...(extra.internalColumns ? { internalColumns: extra.internalColumns } : {}),
  };
}

/** Names a client may write as columns: stored, and not marked `writable: false` (relations and custom fields go their own way). */
export function writableOf(specs: readonly ResourceSpec[]): ReadonlySet<string> {
  return new Set(specs.map((spec) => fieldDefOf(spec)).filter((f) => isStored(f) && isWritable(f)).map((f) => f.name));
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
