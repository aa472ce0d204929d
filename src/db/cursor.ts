import { Knex } from 'knex';

let cursorSeq = 0;

/**
 * Reads a query's rows in batches through a server-side cursor inside one read-only transaction, so
 * a list of any size is consistent and memory stays at one batch. Breaking out of the loop closes
 * the cursor and ends the transaction.
 */
export async function* cursorBatches<T>(knex: Knex, query: Knex.QueryBuilder, batchSize = 500): AsyncGenerator<T[]> {
  const trx = await knex.transaction(undefined, { readOnly: true });
  const name = `v2crm_cursor_${++cursorSeq}`;
  try {
    const { sql, bindings } = query.toSQL();
    await trx.raw(`DECLARE ${name} NO SCROLL CURSOR FOR ${sql}`, bindings as readonly Knex.RawBinding[]);
    for (;;) {
      const result = await trx.raw(`FETCH FORWARD ${Number(batchSize)} FROM ${name}`);
      const rows = result.rows as T[];
      if (rows.length === 0) break;
      yield rows;
      if (rows.length < batchSize) break;
    }
    await trx.commit();
  } finally {
    if (!trx.isCompleted()) await trx.rollback().catch(() => undefined);
  }
}
