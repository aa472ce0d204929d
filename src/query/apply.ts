import { Knex } from 'knex';
import { Catalogue, ScalarType } from './catalogue';
import { Filter, FilterTarget, ListQuery, Scalar } from './parse';
import { applyVia } from './apply-via';
import { CAST, OPERATORS } from './operators';
const JSON_TYPE: Record<ScalarType, string> = {
  integer: 'number',
  decimal: 'number',
  boolean: 'boolean',
  date: 'string',
  datetime: 'string',
  string: 'string',
};

/**
 * SQL for the target as a typed expression, plus its bindings. A custom field is read from the
 * jsonb column only when its JSON type matches, so a stored value of another type compares as NULL
 * instead of failing the cast.
 */
function expr(t: FilterTarget, catalogue: Catalogue): { sql: string; bindings: Knex.RawBinding[] } {
  if (t.kind === 'column') return { sql: '??', bindings: [`${catalogue.table}.${t.def.column}`] };
  const col = `${catalogue.table}.${catalogue.customFieldsColumn}`;
  const type = t.def.type;
  const cast = type === 'integer' ? 'numeric' : CAST[type];
  // Dates and datetimes are stored as ISO strings: checked by shape before the cast.
  const shape = type === 'date' ? " AND (??->>?) ~ '^\\d{4}-\\d{2}-\\d{2}$'" : type === 'datetime' ? " AND (??->>?) ~ '^\\d{4}-\\d{2}-\\d{2}T'" : '';
  const shapeBindings = shape ? [col, t.key] : [];
  return {
    sql: `(CASE WHEN jsonb_typeof(??->?) = '${JSON_TYPE[type]}'${shape} THEN (??->>?)::${cast} END)`,
    bindings: [col, t.key, ...shapeBindings, col, t.key],
  };
}

function valueSql(type: ScalarType, custom: boolean): string {
  if (type === 'integer' && custom) return '?::numeric';
  return type === 'string' ? '?' : `?::${CAST[type]}`;
}

function applyOne(qb: Knex.QueryBuilder, f: Filter, catalogue: Catalogue): void {
  if (f.target.kind === 'column' && f.target.def.via) {
    applyVia(qb, f, f.target.def.via, catalogue.table, f.target.def.type);
    return;
  }
  const { sql, bindings } = expr(f.target, catalogue);
  const type = f.target.def.type;
  const custom = f.target.kind === 'custom';
  const v = f.value;
  if (custom && (f.op === 'eq' || f.op === 'in')) {
    const col = `${catalogue.table}.${catalogue.customFieldsColumn}`;
    const key = (f.target as { key: string }).key;
    const values = (Array.isArray(v) ? v : [v]) as Scalar[];
    // With a per-key index: `custom_fields -> key` equal to the value as jsonb (for a scalar the
    // same test as containment; the key is a binding, which PostgreSQL folds into the plan it makes
    // for the values given, so the expression index matches).
    if (catalogue.customFieldIndexes) {
      qb.whereRaw(`(??->?) IN (${values.map(() => '?::jsonb').join(', ')})`, [col, key, ...values.map((x) => JSON.stringify(jsonValue(type, x)))]);
      return;
    }
    // Otherwise as jsonb containment, which the GIN (jsonb_path_ops) index serves.
    const docs = values.map((x) => JSON.stringify({ [key]: jsonValue(type, x) }));
    qb.where((w) => {
      for (const d of docs) w.orWhereRaw('?? @> ?::jsonb', [col, d]);
    });
    return;
  }
  // Direct columns and custom fields compare as stored (strings case-sensitively); LIKE operators lower-case.
  const field = { sql, bindings };
  const value = (x: Scalar) => ({ sql: valueSql(type, custom), bindings: [x] });
  const p = OPERATORS[f.op].sql({ field, compared: field, value }, v);
  qb.whereRaw(p.sql, p.bindings);
}

/** Decimals travel as strings in the AST; in a jsonb document they must be numbers to match. */
function jsonValue(type: ScalarType, v: Scalar): unknown {
  if (type === 'decimal') return Number(v);
  if (type === 'datetime') return String(v).slice(0, 19);
  return v;
}

/** Adds every filter of the query to `qb`, ANDed; all values are bindings. */
export function applyFilters(qb: Knex.QueryBuilder, q: ListQuery, catalogue: Catalogue): Knex.QueryBuilder {
  for (const f of q.filters) applyOne(qb, f, catalogue);
  return qb;
}

/** ORDER BY the requested terms, then `id` so ties (and pages) are stable. */
export function applyOrder(qb: Knex.QueryBuilder, q: ListQuery, catalogue: Catalogue): Knex.QueryBuilder {
  let hasId = false;
  for (const o of q.order) {
    if (o.target.kind === 'column' && o.target.def.name === 'id') hasId = true;
    const { sql, bindings } = expr(o.target, catalogue);
    // Nullable values sort NULLs last either way; NOT NULL columns keep the plain form so a
    // descending order can still walk their index backwards.
    const nullable = o.target.kind === 'custom' || o.target.def.nullable;
    qb.orderByRaw(`${sql} ${o.desc ? 'DESC' : 'ASC'}${nullable ? ' NULLS LAST' : ''}`, bindings);
  }
  if (!hasId) qb.orderBy(`${catalogue.table}.id`, 'asc');
  return qb;
}
