import { Knex } from 'knex';
import { cursorBatches } from '../db/cursor';
import { lagTolerantReader } from '../db/replica';
import { Catalogue } from './catalogue';
import { applyFilters, applyOrder } from './apply';
import { ListQuery } from './parse';

/** A bounded page up to this size is one plain query; anything larger streams through a cursor. */
export const PLAIN_LIMIT = 1000;
/**
 * Rows per cursor FETCH. Small batches keep the server's memory low and steady (measured on a
 * 300,000-row stream: 250 rows → RSS peak 193 MB and 35k rows/s; 1000 rows → 258 MB and 25k rows/s).
 */
export const STREAM_BATCH = 250;

export interface Pagination {
  page: number;
  per: number;
  total: number;
  pages: number;
}

export interface ListResult<Item = Record<string, unknown>> {
  /** Set when the client asked for `_page`: drives the X-Pagination-* headers. */
  pagination?: Pagination;
  batches: AsyncIterable<Item[]>;
}

/**
 * The list machinery every resource shares: filters, the soft-delete rule (deleted rows only when
 * the query names `is_deleted`), order, `_limit`/`_page` with a count, and batches serialized by
 * `serialize` (which must query through the `db` it gets: see cursorBatches).
 */
export async function listRows<Row, Item = Record<string, unknown>>(opts: {
  knex: Knex;
  scoped: Knex.QueryBuilder;
  catalogue: Catalogue;
  q: ListQuery;
  softDelete: boolean;
  /** More columns for the rows query (e.g. related sets as json), read in the same round trip. */
  columns?: (Knex.Raw | string)[];
  /** The table's columns to read (default all, `table.*`). */
  tableColumns?: string[];
  /** A join of the rows query only (not of its count), e.g. a LATERAL computing a column; SQL with no bindings. */
  join?: string;
  /** Rows per cursor FETCH of a streamed list (default STREAM_BATCH; an export takes more). */
  streamBatch?: number;
  serialize: (rows: Row[], db: Knex) => Promise<Item[]>;
}): Promise<ListResult<Item>> {
  const { knex, catalogue, q } = opts;
  const base = applyFilters(opts.scoped, q, catalogue);
  if (opts.softDelete && !q.mentions('is_deleted')) base.where(`${catalogue.table}.is_deleted`, false);
  const own = (opts.tableColumns ?? ['*']).map((c) => `${catalogue.table}.${c}`);
  const rowsQuery = applyOrder(base.clone().select(...own, ...(opts.columns ?? [])), q, catalogue);
  if (opts.join) rowsQuery.joinRaw(opts.join);
  if (q.limit !== undefined) rowsQuery.limit(q.limit);
  let pagination: Pagination | undefined;
  // A replica, when one is configured and has replayed every write so far (src/db/replica.ts).
  const db = await lagTolerantReader(knex);
  const run = async <R>(query: Knex.QueryBuilder): Promise<R[]> => {
    if (db === knex) return (await query) as R[];
    const { sql, bindings } = query.toSQL();
    return (await db.raw(sql, bindings as readonly Knex.RawBinding[])).rows as R[];
  };
  if (q.page !== undefined) {
    const per = q.limit ?? 50;
    rowsQuery.offset((q.page - 1) * per);
    const [{ count }] = await run<{ count: number | string }>(base.clone().count({ count: '*' }));
    const total = Number(count);
    pagination = { page: q.page, per, total, pages: Math.ceil(total / per) };
  }
  const batches: AsyncIterable<Item[]> =
    q.limit !== undefined && q.limit <= PLAIN_LIMIT
      ? (async function* () {
          yield await opts.serialize(await run<Row>(rowsQuery), db);
        })()
      : cursorBatches(db, rowsQuery, opts.streamBatch ?? STREAM_BATCH, opts.serialize);
  return { pagination, batches };
}
