/**
 * The query language of every list, generic over a field catalogue:
 *   field=value                  equality (v2 clients send bare pairs)
 *   field__op=value              op: eq ne lt le gt ge lk nl ct sw ew in ni isnull
 *                                (v2 aliases: lte → le, gte → ge, notin → ni)
 *   custom_fields.field_N__op=v  typed by the custom field's definition
 *   _order=a,-b  _limit=N  _page=N  (and `_`, a cache buster, ignored)
 * `in`/`ni` lists split on commas; see `splitList` in values.ts for escaping.
 * Anything unknown or unparsable is a QueryError (400) naming the parameter: a silently ignored
 * filter could make a sync job touch every record.
 */
import { Catalogue, CustomFieldDefinition, FieldDef, ScalarType } from './catalogue';
import { QueryError } from '../core/errors';
import { parseScalar, quoteListItem, Scalar, splitList } from '../core/values';
import { Operator, OPERATORS as TABLE, operatorsFor } from './operators';

export type { Scalar } from '../core/values';
export type { Operator } from './operators';

export type FilterTarget =
  | { kind: 'column'; def: FieldDef }
  | { kind: 'custom'; key: string; def: CustomFieldDefinition };

export interface Filter {
  param: string;
  target: FilterTarget;
  op: Operator;
  /** Scalar for comparisons, Scalar[] for in/ni, boolean for isnull. */
  value: Scalar | Scalar[] | boolean;
}

export interface OrderTerm {
  target: FilterTarget;
  desc: boolean;
}

export interface ListQuery {
  filters: Filter[];
  order: OrderTerm[];
  limit?: number;
  page?: number;
  /** True when a filter targets this column field (e.g. `is_deleted` brings back deleted rows). */
  mentions(fieldName: string): boolean;
  /** The route's own parameters (ParseContext.extraParams) that were sent. */
  params: Record<string, string>;
}

export interface ParseContext {
  catalogue: Catalogue;
  customFields: ReadonlyMap<string, CustomFieldDefinition>;
  maxLimit: number;
  extraParams?: readonly string[];
}

export const DEFAULT_PAGE_SIZE = 50;
const MAX_LIST_ITEMS = 1000;
const ALIASES: Record<string, Operator> = { lte: 'le', gte: 'ge', notin: 'ni' };
const OPERATORS: readonly string[] = [...Object.keys(TABLE), ...Object.keys(ALIASES)];
const CONTROL = ['_order', '_limit', '_page'];
/** Which operators apply to which type: the operator table's rows say. */
const OPS_BY_TYPE: Record<ScalarType, readonly Operator[]> = {
  integer: operatorsFor('integer'),
  decimal: operatorsFor('decimal'),
  date: operatorsFor('date'),
  datetime: operatorsFor('datetime'),
  string: operatorsFor('string'),
  boolean: operatorsFor('boolean'),
};
const CUSTOM_PREFIX = 'custom_fields.';

const echo = (v: string) => JSON.stringify(v.length > 100 ? `${v.slice(0, 100)}…` : v);

function single(param: string, raw: unknown): string {
  if (Array.isArray(raw)) throw new QueryError(param, 'may be given only once');
  return typeof raw === 'string' ? raw : '';
}

function positiveInt(param: string, raw: string, max: number): number {
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < 1 || Number(raw) > max) {
    throw new QueryError(param, `must be a whole number from 1 to ${max}, got ${echo(raw)}`);
  }
  return Number(raw);
}

/** Resolves a wire name (`name`, `custom_fields.field_3`) to what it targets. */
function resolveTarget(param: string, name: string, ctx: ParseContext, purpose: 'filter' | 'order'): FilterTarget {
  if (name.startsWith(CUSTOM_PREFIX)) {
    if (!ctx.catalogue.customFieldsColumn) throw new QueryError(param, `this ${ctx.catalogue.resource} list has no custom fields`);
    const key = name.slice(CUSTOM_PREFIX.length);
    const def = ctx.customFields.get(key);
    if (!def) {
      const known = [...ctx.customFields.keys()];
      throw new QueryError(param, `unknown custom field ${echo(key)}; defined: ${known.length ? known.join(', ') : '(none)'}`);
    }
    return { kind: 'custom', key, def };
  }
  const def = ctx.catalogue.fields.find((f) => f.name === name);
  const allowed = ctx.catalogue.fields.filter((f) => (purpose === 'filter' ? f.filterable : f.sortable)).map((f) => f.name);
  if (!def || !(purpose === 'filter' ? def.filterable : def.sortable)) {
    const what = purpose === 'filter' ? 'filterable' : 'sortable';
    throw new QueryError(param, `${def ? 'not' : 'unknown field'} ${echo(name)}${def ? ` ${what}` : ''}; ${what} fields: ${allowed.join(', ')}${ctx.catalogue.customFieldsColumn ? ', custom_fields.field_N' : ''}`);
  }
  return { kind: 'column', def };
}

function typeOf(t: FilterTarget): ScalarType {
  return t.def.type;
}

function typedValue(param: string, type: ScalarType, raw: string): Scalar {
  const r = parseScalar(type, raw);
  if ('error' in r) throw new QueryError(param, `${r.error}, got ${echo(raw)}`);
  return r.value;
}

function parseFilter(param: string, raw: unknown, ctx: ParseContext): Filter[] {
  let name = param;
  let op: Operator = 'eq';
  const cut = param.lastIndexOf('__');
  if (cut > 0) {
    const suffix = param.slice(cut + 2);
    if (!OPERATORS.includes(suffix)) {
      throw new QueryError(param, `unknown operator ${echo(suffix)}; operators: eq ne lt le gt ge lk nl ct sw ew in ni isnull (and v2's lte gte notin)`);
    }
    name = param.slice(0, cut);
    op = ALIASES[suffix] ?? (suffix as Operator);
  }
  const target = resolveTarget(param, name, ctx, 'filter');
  const type = typeOf(target);
  if (!OPS_BY_TYPE[type].includes(op)) {
    throw new QueryError(param, `operator ${op} does not apply to ${type} field ${name}; use one of: ${OPS_BY_TYPE[type].join(', ')}`);
  }
  const raws = Array.isArray(raw) ? raw.map(String) : [typeof raw === 'string' ? raw : ''];
  return raws.map((value): Filter => {
    if (TABLE[op].reads === 'boolean') {
      const b = parseScalar('boolean', value);
      if ('error' in b) throw new QueryError(param, `must be true or false, got ${echo(value)}`);
      return { param, target, op, value: b.value as boolean };
    }
    if (TABLE[op].reads === 'list') {
      const items = splitList(value);
      if (!Array.isArray(items)) throw new QueryError(param, `the list ${items.error}`);
      if (value === '') throw new QueryError(param, 'needs at least one value');
      if (items.length > MAX_LIST_ITEMS) throw new QueryError(param, `takes at most ${MAX_LIST_ITEMS} values`);
      return { param, target, op, value: items.map((i) => typedValue(param, type, i)) };
    }
    const typed = typedValue(param, type, value);
    // In LIKE a backslash escapes the next character; a pattern cannot end with one.
    if ((op === 'lk' || op === 'nl') && /(^|[^\\])(\\\\)*\\$/.test(value)) {
      throw new QueryError(param, 'a LIKE pattern cannot end with a lone backslash (write \\\\ for a literal one)');
    }
    return { param, target, op, value: typed };
  });
}

function parseOrder(raw: string, ctx: ParseContext): OrderTerm[] {
  if (raw.trim() === '') throw new QueryError('_order', 'needs at least one field');
  const seen = new Set<string>();
  return raw.split(',').map((part) => {
    const p = part.trim();
    const desc = p.startsWith('-');
    const name = p.replace(/^[-+]/, '');
    if (seen.has(name)) throw new QueryError('_order', `names ${echo(name)} twice`);
    seen.add(name);
    return { target: resolveTarget('_order', name, ctx, 'order'), desc };
  });
}

/** Query object (from Express's simple parser: string or string[] values) → ListQuery. */
export function parseListQuery(query: Record<string, unknown>, ctx: ParseContext): ListQuery {
  const filters: Filter[] = [];
  const params: Record<string, string> = {};
  let order: OrderTerm[] = [];
  let limit: number | undefined;
  let page: number | undefined;
  for (const [param, raw] of Object.entries(query)) {
    if (param === '') throw new QueryError('(empty)', 'a query parameter has no name');
    if (param === '_') continue;
    if (ctx.extraParams?.includes(param)) {
      params[param] = single(param, raw);
      continue;
    }
    if (param.startsWith('_')) {
      if (!CONTROL.includes(param)) throw new QueryError(param, `unknown control parameter; allowed: ${CONTROL.join(', ')}`);
      const value = single(param, raw);
      if (param === '_order') order = parseOrder(value, ctx);
      else if (param === '_limit') limit = positiveInt(param, value, ctx.maxLimit);
      else page = positiveInt(param, value, 1_000_000_000);
      continue;
    }
    filters.push(...parseFilter(param, raw, ctx));
  }
  if (page !== undefined && limit === undefined) limit = DEFAULT_PAGE_SIZE;
  const mentioned = new Set(filters.flatMap((f) => (f.target.kind === 'column' ? [f.target.def.name] : [])));
  return { filters, order, limit, page, params, mentions: (n) => mentioned.has(n) };
}

function targetName(t: FilterTarget): string {
  return t.kind === 'column' ? t.def.name : `${CUSTOM_PREFIX}${t.key}`;
}

function printScalar(v: Scalar): string {
  return String(v);
}

/** A canonical query string for a ListQuery (filters grouped by parameter, as AND does not care
 *  about order): print(parse(print(q))) equals print(q). */
export function printListQuery(q: ListQuery): string {
  const filters = q.filters.map((f) => {
    const value = Array.isArray(f.value) ? f.value.map((v) => quoteListItem(printScalar(v))).join(',') : printScalar(f.value);
    return { key: encodeURIComponent(`${targetName(f.target)}__${f.op}`), value: encodeURIComponent(value) };
  });
  filters.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const parts = filters.map((f) => `${f.key}=${f.value}`);
  if (q.order.length) parts.push(`_order=${encodeURIComponent(q.order.map((o) => (o.desc ? '-' : '') + targetName(o.target)).join(','))}`);
  if (q.limit !== undefined) parts.push(`_limit=${q.limit}`);
  if (q.page !== undefined) parts.push(`_page=${q.page}`);
  return parts.join('&');
}
