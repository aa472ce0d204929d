import { Response, Router } from 'express';
import { requireJsonOrForm } from '../../http/body';
import { idParam } from '../../http/params';
import { sendList } from '../../http/stream-json';
import { ContactResult, ContactService } from './service';

function send(res: Response, r: ContactResult) {
  if (r.dupedEmail) res.setHeader('X-Duped-Email', 'yes');
  res.json(r.body);
}

/** `/api/v2/crm/contacts`: the same verbs and query language as accounts. */
export function contactRoutes(service: ContactService): Router {
  const r = Router();
  r.get('/', async (req, res) => {
    await sendList(res, await service.list(req.user!, req.query as Record<string, unknown>));
  });
  r.post('/', requireJsonOrForm, async (req, res) => send(res, await service.create(req.user!, req.body, req.bodyFormat!)));
  r.get('/:id', async (req, res) => send(res, await service.get(req.user!, idParam(String(req.params.id)))));
  for (const method of ['put', 'post'] as const) {
    r[method]('/:id', requireJsonOrForm, async (req, res) => send(res, await service.update(req.user!, idParam(String(req.params.id)), req.body, req.bodyFormat!)));
  }
  r.delete('/:id', async (req, res) => send(res, await service.remove(req.user!, idParam(String(req.params.id)))));
  return r;
}
