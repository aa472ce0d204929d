import { Knex } from 'knex';
import { ScalarType, Via } from './catalogue';
import { Filter } from './parse';
import { CAST, Operator, OPERATORS, Sql } from './operators';

/** `<column> <op> <value>` for a positive operator; strings match case-insensitively (both sides lower-cased). */
function predicate(column: string, op: Operator, value: Filter['value'], type: ScalarType): Sql {
  const str = type === 'string';
  const field = { sql: '??', bindings: [column] };
  const compared = { sql: str ? 'lower(??)' : '??', bindings: [column] };
  return OPERATORS[op].sql({ field, compared, value: (v) => ({ sql: str ? 'lower(?)' : `?::${CAST[type]}`, bindings: [v] }) }, value);
}

/** Adds a filter on a `via` field: EXISTS over a join table, or OR over several columns. */
export function applyVia(qb: Knex.QueryBuilder, f: Filter, via: Via, table: string, type: ScalarType): void {
  // A negative operator over related rows is "no linked value matches the positive one".
  const negates = OPERATORS[f.op].negates;
  const negate = negates !== undefined;
  const op = negates ?? f.op;
  if (via.kind === 'any') {
    if (op === 'isnull') {
      const all = via.columns.map(() => '?? IS NULL').join(' AND ');
      qb.whereRaw(f.value ? `(${all})` : `NOT (${all})`, via.columns.map((c) => `${table}.${c}`));
      return;
    }
    const parts = via.columns.map((c) => predicate(`${table}.${c}`, op, f.value, type));
    const sql = `coalesce(${parts.map((p) => `(${p.sql})`).join(' OR ')}, false)`;
    qb.whereRaw(negate ? `NOT ${sql}` : sql, parts.flatMap((p) => p.bindings));
    return;
  }
  // Every table names its org_id (docs/scaling.md): the link and lookup rows are the account's org's.
  const from = via.lookup ? '?? AS v2_link JOIN ?? AS v2_lookup ON v2_lookup.id = ?? AND v2_lookup.org_id = v2_link.org_id' : '?? AS v2_link';
  const fromBindings = via.lookup ? [via.table, via.lookup.table, `v2_link.${via.lookup.key}`] : [via.table];
  const valueColumn = `${via.lookup ? 'v2_lookup' : 'v2_link'}.${via.value}`;
  const base = `SELECT 1 FROM ${from} WHERE ?? = ?? AND v2_link.org_id = ??`;
  const baseBindings = [...fromBindings, `v2_link.${via.fk}`, `${table}.id`, `${table}.org_id`];
  if (op === 'isnull') {
    qb.whereRaw(`${f.value ? 'NOT ' : ''}EXISTS (${base})`, baseBindings);
    return;
  }
  const p = predicate(valueColumn, op, f.value, type);
  qb.whereRaw(`${negate ? 'NOT ' : ''}EXISTS (${base} AND ${p.sql})`, [...baseBindings, ...p.bindings]);
}
