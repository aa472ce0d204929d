import { Response } from 'express';

/** An item that is already JSON text (e.g. an account list item PostgreSQL wrote); written as is. */
export class RawJson {
  constructor(readonly json: string) {}
}

/** Resolves on 'drain' or 'close', removing both listeners (a long stream waits thousands of times). */
function drained(res: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/**
 * Writes `[item,item,...]` batch by batch, waiting for the socket to drain, so a million-row list
 * never sits in memory. Stops early (and lets the source clean up) when the client goes away.
 * A batch is written once the next one is known, so a one-batch list (any `_limit` up to 1000) goes
 * out in one write with a Content-Length.
 */
export async function streamJsonArray(res: Response, batches: AsyncIterable<unknown[]>): Promise<void> {
  // The first batch is read before any byte is sent, so a failing query still gets a proper error
  // response; a failure later can only cut the connection.
  const it = batches[Symbol.asyncIterator]();
  let next = await it.next();
  res.status(200).type('application/json');
  // Items are joined once per batch (not appended one by one), so no chain of partial strings lingers.
  let pending = '[';
  let first = true;
  while (!next.done) {
    const parts = next.value.map((item) => (item instanceof RawJson ? item.json : JSON.stringify(item)));
    if (parts.length) {
      pending += (first ? '' : ',') + parts.join(',');
      first = false;
    }
    next = await it.next();
    if (next.done) break;
    if (res.destroyed) {
      await it.return?.();
      return;
    }
    const ok = res.write(pending);
    pending = '';
    if (!ok) await drained(res);
  }
  if (!res.destroyed) res.end(`${pending}]`);
}

/** A list response: pagination headers when paged, then the streamed array. */
export async function sendList(
  res: Response,
  list: { pagination?: { page: number; pages: number; per: number; total: number }; batches: AsyncIterable<unknown[]> },
): Promise<void> {
  if (list.pagination) {
    res.setHeader('X-Pagination-Page', String(list.pagination.page));
    res.setHeader('X-Pagination-Pages', String(list.pagination.pages));
    res.setHeader('X-Pagination-Per', String(list.pagination.per));
    res.setHeader('X-Pagination-Total', String(list.pagination.total));
  }
  await streamJsonArray(res, list.batches);
}
