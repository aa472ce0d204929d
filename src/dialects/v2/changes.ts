import { Router } from 'express';
import { QueryError } from '../../core/errors';
import { decodeCursor } from '../../sync/cursor';
import { ChangeFeed, FeedQuery } from '../../sync/feed';
import { isSyncedResource, SYNCED_RESOURCES } from '../../sync/resources';

const DEFAULT_LIMIT = 100;

function single(v: unknown, name: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new QueryError(name, 'must be given once');
  return v;
}

/** `GET /api/v2/changes`: the gap-free change feed (docs/sync.md). */
export function changeRoutes(feed: ChangeFeed, maxLimit: number): Router {
  const r = Router();
  r.get('/', async (req, res) => {
    for (const k of Object.keys(req.query)) {
      if (!['after', '_limit', 'resource'].includes(k)) throw new QueryError(k, 'is not a parameter of the change feed (after, _limit, resource)');
    }
    const q: FeedQuery = { limit: DEFAULT_LIMIT };
    const after = single(req.query.after, 'after');
    if (after !== undefined) {
      q.after = decodeCursor(after);
      if (!q.after) throw new QueryError('after', 'is not a cursor of this feed (use the cursor of an entry, or leave it out to start from the beginning)');
    }
    const limit = single(req.query._limit, '_limit');
    if (limit !== undefined) {
      if (!/^\d{1,9}$/.test(limit) || Number(limit) < 1 || Number(limit) > maxLimit) throw new QueryError('_limit', `must be a whole number from 1 to ${maxLimit}`);
      q.limit = Number(limit);
    }
    const resource = single(req.query.resource, 'resource');
    if (resource !== undefined) {
      if (!isSyncedResource(resource)) throw new QueryError('resource', `must be one of ${SYNCED_RESOURCES.join(', ')}`);
      q.resource = resource;
    }
    res.json(await feed.read(req.user!, q));
  });
  return r;
}
