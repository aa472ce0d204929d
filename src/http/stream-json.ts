import { once } from 'node:events';
import { Response } from 'express';

/**
 * Writes `[item,item,...]` batch by batch, waiting for the socket to drain, so a million-row list
 * never sits in memory. Stops early (and lets the source clean up) when the client goes away.
 */
export async function streamJsonArray(res: Response, batches: AsyncIterable<unknown[]>): Promise<void> {
  // The first batch is read before any byte is sent, so a failing query still gets a proper error
  // response; a failure later can only cut the connection.
  const it = batches[Symbol.asyncIterator]();
  let next = await it.next();
  res.status(200).type('application/json');
  let first = true;
  res.write('[');
  for (; !next.done; next = await it.next()) {
    const batch = next.value;
    if (res.destroyed) {
      await it.return?.();
      break;
    }
    let chunk = '';
    for (const item of batch) {
      chunk += (first ? '' : ',') + JSON.stringify(item);
      first = false;
    }
    if (!res.write(chunk)) {
      await Promise.race([once(res, 'drain'), once(res, 'close')]);
    }
  }
  if (!res.destroyed) res.end(']');
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
