import { Router } from 'express';
import { requireJsonOrForm } from '../../http/body';
import { idParam } from '../../http/params';
import { sendList } from '../../http/stream-json';
import { accountIdOf } from '../../dialects/v2/params';
import { EmailService } from './service';

/** `/api/v2/crm/accounts/:id/emails` (list with status, send or schedule). */
export function accountEmailRoutes(service: EmailService): Router {
  const r = Router({ mergeParams: true });
  r.get('/', async (req, res) => {
    await sendList(res, await service.list(req.user!, accountIdOf(req.params), req.query as Record<string, unknown>));
  });
  r.post('/', requireJsonOrForm, async (req, res) => {
    res.status(201).json(await service.create(req.user!, accountIdOf(req.params), req.body, req.bodyFormat!));
  });
  return r;
}

/** `/api/v2/crm/emails/:id`: one e-mail's delivery status. */
export function emailRoutes(service: EmailService): Router {
  const r = Router();
  r.get('/:id', async (req, res) => {
    res.json(await service.get(req.user!, idParam(String(req.params.id))));
  });
  return r;
}
