import { Router } from 'express';
import { requireJsonOrForm } from '../../http/body';
import { idParam } from '../../http/params';
import { QueryError } from '../../http/errors';
import { streamJsonArray } from '../../http/stream-json';
import { AccountService } from './service';

const GET_ONE_PARAMS = new Set(['display_currency', '_']);

export function accountRoutes(service: AccountService): Router {
  const r = Router();

  r.get('/', async (req, res) => {
    const { pagination, batches } = await service.list(req.user!, req.query as Record<string, unknown>);
    if (pagination) {
      res.setHeader('X-Pagination-Page', String(pagination.page));
      res.setHeader('X-Pagination-Pages', String(pagination.pages));
      res.setHeader('X-Pagination-Per', String(pagination.per));
      res.setHeader('X-Pagination-Total', String(pagination.total));
    }
    await streamJsonArray(res, batches);
  });

  r.post('/', requireJsonOrForm, async (req, res) => {
    res.json(await service.create(req.user!, req.body, req.bodyFormat!));
  });

  r.get('/:id', async (req, res) => {
    for (const k of Object.keys(req.query)) {
      if (!GET_ONE_PARAMS.has(k)) throw new QueryError(k, `is not a parameter of this route; allowed: display_currency`);
    }
    const displayCurrency = typeof req.query.display_currency === 'string' ? req.query.display_currency : undefined;
    res.json(await service.get(req.user!, idParam(String(req.params.id)), { displayCurrency }));
  });

  // Administrate: "we use POST for both creation and updating".
  for (const method of ['put', 'post'] as const) {
    r[method]('/:id', requireJsonOrForm, async (req, res) => {
      res.json(await service.update(req.user!, idParam(String(req.params.id)), req.body, req.bodyFormat!));
    });
  }

  r.delete('/:id', async (req, res) => {
    res.json(await service.remove(req.user!, idParam(String(req.params.id))));
  });

  return r;
}
