import { Request, Response, NextFunction, Router } from 'express';
import { HttpError } from '../../http/errors';
import { QueryError } from '../../core/errors';
import { idParam } from '../../http/params';
import { WebhookService } from '../../sync/webhooks';

function jsonOnly(req: Request, _res: Response, next: NextFunction) {
  if (req.bodyFormat === 'json' || req.bodyFormat === 'none') return next();
  next(new HttpError(415, 'unsupported_media_type', `Content-Type "${req.headers['content-type'] ?? ''}" is not accepted here; send application/json`));
}

/** `/api/v2/webhooks`: the organisation's webhooks, for its admins (docs/sync.md). */
export function webhookRoutes(service: WebhookService, opts: { maxLimit: number }): Router {
  const r = Router();
  r.get('/', async (req, res) => {
    res.json(await service.list(req.user!));
  });
  r.post('/', jsonOnly, async (req, res) => {
    const w = await service.create(req.user!, req.body ?? {});
    res.status(201).location(`/api/v2/webhooks/${w.id}`).json(w);
  });
  r.get('/:id', async (req, res) => {
    res.json(await service.get(req.user!, idParam(String(req.params.id))));
  });
  r.put('/:id', jsonOnly, async (req, res) => {
    res.json(await service.update(req.user!, idParam(String(req.params.id)), req.body ?? {}));
  });
  r.delete('/:id', async (req, res) => {
    await service.remove(req.user!, idParam(String(req.params.id)));
    res.status(204).end();
  });
  r.get('/:id/deliveries', async (req, res) => {
    const raw = req.query._limit;
    let limit = 100;
    if (raw !== undefined) {
      if (typeof raw !== 'string' || !/^\d{1,9}$/.test(raw) || Number(raw) < 1 || Number(raw) > opts.maxLimit) throw new QueryError('_limit', `must be a whole number from 1 to ${opts.maxLimit}`);
      limit = Number(raw);
    }
    res.json(await service.deliveries(req.user!, idParam(String(req.params.id)), limit));
  });
  return r;
}
