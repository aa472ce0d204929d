import { Knex } from 'knex';
import { ScalarType, Via } from './catalogue';
import { Filter, Operator, Scalar } from './parse';

const CAST: Record<ScalarType, string> = {
  integer: 'integer', decimal: 'numeric', boolean: 'boolean', date: 'date', datetime: 'timestamptz', string: 'text',
};
const COMPARE: Partial<Record<Operator, string>> = { eq: '=', lt: '<', le: '<=', gt: '>', ge: '>=' };
/** Negative operators are "no linked value matches the positive one". */
const NEGATED: Partial<Record<Operator, Operator>> = { ne: 'eq', ni: 'in', nl: 'lk' };

function likeLiteral(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** `<column> <op> <value>` for a positive operator; strings compare lower-cased. */
function predicate(column: string, op: Operator, value: Filter['value'], type: ScalarType): { sql: string; bindings: Knex.RawBinding[] } {
  const str = type === 'string';
  const col = str ? 'lower(??)' : '??';
  const val = str ? 'lower(?)' : `?::${CAST[type]}`;
  switch (op) {
    case 'in': {
      const list = value as Scalar[];
      return { sql: `${col} IN (${list.map(() => val).join(', ')})`, bindings: [column, ...list] };
    }
    case 'ct':
    case 'sw':
    case 'ew': {
      const s = likeLiteral(String(value).toLowerCase());
      return { sql: "lower(??) LIKE ? ESCAPE '\\'", bindings: [column, op === 'ct' ? `%${s}%` : op === 'sw' ? `${s}%` : `%${s}`] };
    }
    case 'lk':
      return { sql: 'lower(??) LIKE ?', bindings: [column, String(value).toLowerCase()] };
    default:
      return { sql: `${col} ${COMPARE[op]} ${val}`, bindings: [column, value as Scalar] };
  }
}

/** Adds a filter on a `via` field: EXISTS over a join table, or OR over several columns. */
export function applyVia(qb: Knex.QueryBuilder, f: Filter, via: Via, table: string, type: ScalarType): void {
  const negate = f.op in NEGATED;
  const op = NEGATED[f.op] ?? f.op;
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
