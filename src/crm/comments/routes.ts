import { Router } from 'express';
import { requireJsonOrForm } from '../../http/body';
import { idParam } from '../../http/params';
import { CommentService } from './service';

/** The `:id` of the parent account route (mounted with mergeParams). */
export const accountIdOf = (params: object) => idParam(String((params as Record<string, string>).id));

/** `/api/v2/crm/accounts/:id/comments` (list, add). */
export function accountCommentRoutes(service: CommentService): Router {
  const r = Router({ mergeParams: true });
  r.get('/', async (req, res) => {
    res.json(await service.list(req.user!, accountIdOf(req.params)));
  });
  r.post('/', requireJsonOrForm, async (req, res) => {
    res.json(await service.create(req.user!, accountIdOf(req.params), req.body, req.bodyFormat!));
  });
  return r;
}

/** `/api/v2/crm/comments/:id` (edit, delete). */
export function commentRoutes(service: CommentService): Router {
  const r = Router();
  for (const method of ['put', 'post'] as const) {
    r[method]('/:id', requireJsonOrForm, async (req, res) => {
      res.json(await service.update(req.user!, idParam(String(req.params.id)), req.body, req.bodyFormat!));
    });
  }
  r.delete('/:id', async (req, res) => {
    await service.remove(req.user!, idParam(String(req.params.id)));
    res.status(204).end();
  });
  return r;
}
