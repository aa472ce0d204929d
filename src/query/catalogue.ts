/**
 * The field catalogue: each resource's single description of its fields. This file is the type's
 * home (the query parser is its first reader); each resource lists its fields in its own fields.ts,
 * and src/catalogue/index.ts registers them for the spec that checks them against openapi.yaml and
 * the database. The query parser, the repo's column mapping, the serializers, import and history
 * read it; nothing else names columns.
 */
import type { ScalarType } from '../core/values';
export type { ScalarType } from '../core/values';

/**
 * Where a field's value lives:
 * - column: a column of the resource's table (`column`);
 * - relation: a set in a join table, written and shown as a list (an account's `tags`);
 * - derived: computed on read from elsewhere (an account's `company`, `balance`); never written;
 * - custom: the jsonb object of custom fields;
 * - filter: only a filter (`city`, `industry`): not shown, not written.
 */
export type FieldSource = 'column' | 'relation' | 'derived' | 'custom' | 'filter';

export interface FieldDef {
  /** Name on the wire (JSON key, query parameter). */
  name: string;
  /** Column in the resource's table (for a non-column field: its name, unused by SQL). */
  column: string;
  /** The value's type; for a relation or filter, the type of one element it is matched on. */
  type: ScalarType;
  filterable: boolean;
  sortable: boolean;
  nullable: boolean;
  /** A filter-only field answered elsewhere than one column of the table: see apply-via.ts. */
  via?: Via;
  /** Default `column`. */
  source?: FieldSource;
  /** A client may set it (default: true for columns, relations and custom fields). */
  writable?: boolean;
  /** Shown in responses (default: true except filter-only fields). */
  serialized?: boolean;
  /** Left out of list items (shown by a single read only). */
  listOmitted?: boolean;
  /** History records its changes. */
  tracked?: boolean;
  /** An import reads it from a file (false: the import skips it, e.g. read-only keys of a dump). */
  importable?: boolean;
}

/**
 * `link`: rows of a join table pointing at the record (`fk` = record id), matched on `value`
 * (a column of the join table, or of `lookup` joined on `lookup.id = <join>.<lookup.key>`).
 * `any`: true when any of several columns of the table matches (e.g. `city` over three towns).
 * String matches are case-insensitive for both.
 */
export type Via =
  | { kind: 'link'; table: string; fk: string; value: string; lookup?: { table: string; key: string } }
  | { kind: 'any'; columns: readonly string[] };

export interface Catalogue {
  /** Singular resource name for messages: "account". */
  resource: string;
  /** Table the columns belong to; SQL qualifies every column with it. */
  table: string;
  /** Ordered: the order of keys in the resource's wire form. */
  fields: readonly FieldDef[];
  /** jsonb column holding `custom_fields`, when the resource has them. */
  customFieldsColumn?: string;
  /**
   * Each custom field key has a btree index on `(org_id, (custom_fields -> key), id)`
   * (domain/custom-fields/indexes.ts): equality filters are then written `->` =, which it serves,
   * instead of jsonb containment (`@>`), which the GIN index serves.
   */
  customFieldIndexes?: boolean;
  /**
   * Its schemas in openapi.yaml when they are not named by convention (`Account`, `AccountListItem`,
   * `AccountCreate`, `AccountUpdate` for resource "account").
   */
  openapi?: { record: string; list?: string; create?: string; update?: string };
  /** Columns of the table that are no field (the tenant, bookkeeping): the spec knows every column so. */
  internalColumns?: readonly string[];
}

export type CustomFieldType = 'string' | 'boolean' | 'integer' | 'decimal' | 'date' | 'datetime';
export const CUSTOM_FIELD_TYPES: readonly CustomFieldType[] = ['string', 'boolean', 'integer', 'decimal', 'date', 'datetime'];

/** One custom field of one model in one organisation (`field_N`). */
export interface CustomFieldDefinition {
  key: string;
  type: CustomFieldType;
  label: string;
  /** Allowed values, when the field is a choice list. */
  choices?: (string | number)[] | null;
}

/** A stored field in a resource's `fields.ts`: name (= column), wire type, and how it may be used. */
export type FieldSpec = [name: string, type: ScalarType, opts?: { nullable?: boolean; writable?: boolean; serialized?: boolean }];

/** Column fields from specs: filterable and sortable, nullable unless said otherwise. */
export function columnFields(specs: readonly FieldSpec[]): FieldDef[] {
  return specs.map(([name, type, o]) => ({
    name, column: name, type, filterable: true, sortable: true, nullable: o?.nullable ?? true,
    ...(o?.writable === false ? { writable: false } : {}),
    ...(o?.serialized === false ? { serialized: false } : {}),
  }));
}

/** Names a client may write (every spec not marked `writable: false`). */
export function writableNames(specs: readonly FieldSpec[]): Set<string> {
  return new Set(specs.filter(([, , o]) => o?.writable !== false).map(([n]) => n));
}

export function fieldByName(catalogue: Catalogue, name: string): FieldDef | undefined {
  return catalogue.fields.find((f) => f.name === name);
}

// What the flags' defaults mean, in one place: every reader of a catalogue asks through these.
export const sourceOf = (f: FieldDef): FieldSource => f.source ?? 'column';
export const isStored = (f: FieldDef): boolean => sourceOf(f) === 'column';
export const isWritable = (f: FieldDef): boolean => f.writable ?? ['column', 'relation', 'custom'].includes(sourceOf(f));
export const isSerialized = (f: FieldDef): boolean => f.serialized ?? sourceOf(f) !== 'filter';
export const isImportable = (f: FieldDef): boolean => f.importable ?? isWritable(f);
export const isTracked = (f: FieldDef): boolean => f.tracked ?? (isStored(f) && isWritable(f));

/** Keys of the resource's wire form, in order (`list`: as a list item shows them). */
export function wireKeys(catalogue: Catalogue, opts: { list?: boolean } = {}): string[] {
  return catalogue.fields.filter((f) => isSerialized(f) && !(opts.list && f.listOmitted)).map((f) => f.name);
}
