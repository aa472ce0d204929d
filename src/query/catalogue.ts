/**
 * The field catalogue: each resource's single description of its fields. The query parser, the
 * repo's column mapping and the serializer read it; nothing else names columns.
 */
import type { ScalarType } from '../core/values';
export type { ScalarType } from '../core/values';

export interface FieldDef {
  /** Name on the wire (JSON key, query parameter). */
  name: string;
  /** Column in the resource's table. */
  column: string;
  type: ScalarType;
  filterable: boolean;
  sortable: boolean;
  nullable: boolean;
  /** A filter-only field answered elsewhere than one column of the table: see apply-via.ts. */
  via?: Via;
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
  fields: readonly FieldDef[];
  /** jsonb column holding `custom_fields`, when the resource has them. */
  customFieldsColumn?: string;
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
  return specs.map(([name, type, o]) => ({ name, column: name, type, filterable: true, sortable: true, nullable: o?.nullable ?? true }));
}

/** Names a client may write (every spec not marked `writable: false`). */
export function writableNames(specs: readonly FieldSpec[]): Set<string> {
  return new Set(specs.filter(([, , o]) => o?.writable !== false).map(([n]) => n));
}

export function fieldByName(catalogue: Catalogue, name: string): FieldDef | undefined {
  return catalogue.fields.find((f) => f.name === name);
}
