import { Knex } from 'knex';
import type { ScalarType } from './catalogue';
import type { Scalar } from '../core/values';

/**
 * The operator table: each filter operator is one row, with the field types it applies to, how its
 * value is read, and its SQL. Direct columns, custom fields (apply.ts) and related-table fields
 * (apply-via.ts) all build their predicates from these rows. Every value is a binding.
 */

export type Operator = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge' | 'lk' | 'nl' | 'ct' | 'sw' | 'ew' | 'in' | 'ni' | 'isnull';

/** A piece of SQL with its bindings. */
export interface Sql {
  sql: string;
  bindings: Knex.RawBinding[];
}

/** What a row builds its predicate over. */
export interface Operands {
  /** The field as SQL (a column, or a custom field read from jsonb). */
  field: Sql;
  /** The field as compared: itself, or lower-cased where strings match case-insensitively. */
  compared: Sql;
  /** One value as compared: a cast placeholder, or lower-cased to match `compared`. */
  value: (v: Scalar) => Sql;
}

export interface OperatorRow {
  /** Field types it applies to (the parser refuses any other). */
  types: readonly ScalarType[];
  /** How its query-string value is read: one value, a comma list, or true/false. */
  reads: 'scalar' | 'list' | 'boolean';
  /** The positive operator this one negates: over related rows it is NOT EXISTS (that one). */
  negates?: Operator;
  sql(o: Operands, value: Scalar | Scalar[] | boolean): Sql;
}

/** CAST target of each type's values. */
export const CAST: Record<ScalarType, string> = {
  integer: 'integer', decimal: 'numeric', boolean: 'boolean', date: 'date', datetime: 'timestamptz', string: 'text',
};

/** Escapes LIKE's wildcards so `ct`/`sw`/`ew` match the text literally. */
export function likeLiteral(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

const ALL: readonly ScalarType[] = ['integer', 'decimal', 'date', 'datetime', 'string', 'boolean'];
const ORDERED: readonly ScalarType[] = ['integer', 'decimal', 'date', 'datetime', 'string'];
const TEXT: readonly ScalarType[] = ['string'];

function compare(sign: string): OperatorRow['sql'] {
  return (o, v) => {
    const value = o.value(v as Scalar);
    return { sql: `${o.compared.sql} ${sign} ${value.sql}`, bindings: [...o.compared.bindings, ...value.bindings] };
  };
}

function list(negated: boolean): OperatorRow['sql'] {
  return (o, v) => {
    const values = (v as Scalar[]).map(o.value);
    return {
      sql: `${o.compared.sql} ${negated ? 'NOT IN' : 'IN'} (${values.map((x) => x.sql).join(', ')})`,
      bindings: [...o.compared.bindings, ...values.flatMap((x) => x.bindings)],
    };
  };
}

/** A LIKE over the lower-cased field; `pattern` makes the bound pattern from the value. */
function like(negated: boolean, escape: boolean, pattern: (s: string) => string): OperatorRow['sql'] {
  return (o, v) => ({
    sql: `lower(${o.field.sql}) ${negated ? 'NOT LIKE' : 'LIKE'} ?${escape ? " ESCAPE '\\'" : ''}`,
    bindings: [...o.field.bindings, pattern(String(v).toLowerCase())],
  });
}

// Rows in the order the parser's messages list them (common, ordered, text operators).
export const OPERATORS: Readonly<Record<Operator, OperatorRow>> = {
  eq: { types: ALL, reads: 'scalar', sql: compare('=') },
  ne: { types: ALL, reads: 'scalar', negates: 'eq', sql: compare('<>') },
  in: { types: ALL, reads: 'list', sql: list(false) },
  ni: { types: ALL, reads: 'list', negates: 'in', sql: list(true) },
  isnull: { types: ALL, reads: 'boolean', sql: (o, v) => ({ sql: `${o.field.sql} IS ${v ? '' : 'NOT '}NULL`, bindings: o.field.bindings }) },
  lt: { types: ORDERED, reads: 'scalar', sql: compare('<') },
  le: { types: ORDERED, reads: 'scalar', sql: compare('<=') },
  gt: { types: ORDERED, reads: 'scalar', sql: compare('>') },
  ge: { types: ORDERED, reads: 'scalar', sql: compare('>=') },
  // lk/nl: the client's own LIKE pattern (its % and _ are wildcards), case-insensitive.
  lk: { types: TEXT, reads: 'scalar', sql: like(false, false, (s) => s) },
  nl: { types: TEXT, reads: 'scalar', negates: 'lk', sql: like(true, false, (s) => s) },
  ct: { types: TEXT, reads: 'scalar', sql: like(false, true, (s) => `%${likeLiteral(s)}%`) },
  sw: { types: TEXT, reads: 'scalar', sql: like(false, true, (s) => `${likeLiteral(s)}%`) },
  ew: { types: TEXT, reads: 'scalar', sql: like(false, true, (s) => `%${likeLiteral(s)}`) },
};

/** The operators that apply to a type, in the table's order (the parser's messages list them). */
export function operatorsFor(type: ScalarType): Operator[] {
  return (Object.keys(OPERATORS) as Operator[]).filter((op) => OPERATORS[op].types.includes(type));
}
