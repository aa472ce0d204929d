import { Router } from 'express';
import { requireJsonOrForm } from '../../http/body';
import { idParam } from '../../http/params';
import { sendList } from '../../http/stream-json';
import { TeamService } from './service';

/** `/api/v2/crm/teams`: everyone reads; admins create, change and remove. */
export function teamRoutes(service: TeamService): Router {
  const r = Router();
  r.get('/', async (req, res) => {
    await sendList(res, await service.list(req.user!, req.query as Record<string, unknown>));
  });
  r.post('/', requireJsonOrForm, async (req, res) => {
    res.json(await service.create(req.user!, req.body, req.bodyFormat!));
  });
  r.get('/:id', async (req, res) => {
    res.json(await service.get(req.user!, idParam(String(req.params.id))));
  });
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
