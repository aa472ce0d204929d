import { Knex } from 'knex';

let cursorSeq = 0;

/**
 * Reads a query's rows in batches through a server-side cursor inside one read-only transaction, so
 * a list of any size is consistent and memory stays at one batch. `map` turns each batch into what
 * is yielded and must use the `db` it is given (the cursor's transaction): on PGlite's single
 * connection any other query would wait for the transaction to end. Breaking out of the loop closes
 * the cursor and ends the transaction.
 */
export async function* cursorBatches<T, U>(
  knex: Knex,
  query: Knex.QueryBuilder,
  batchSize: number,
  map: (rows: T[], db: Knex) => Promise<U[]>,
): AsyncGenerator<U[]> {
  const trx = await knex.transaction(undefined, { readOnly: true });
  const name = `v2crm_cursor_${++cursorSeq}`;
  try {
    const { sql, bindings } = query.toSQL();
    await trx.raw(`DECLARE ${name} NO SCROLL CURSOR FOR ${sql}`, bindings as readonly Knex.RawBinding[]);
    for (;;) {
      const result = await trx.raw(`FETCH FORWARD ${Number(batchSize)} FROM ${name}`);
      const rows = result.rows as T[];
      if (rows.length === 0) break;
      yield await map(rows, trx);
      if (rows.length < batchSize) break;
    }
    await trx.commit();
  } finally {
    if (!trx.isCompleted()) await trx.rollback().catch(() => undefined);
  }
}
