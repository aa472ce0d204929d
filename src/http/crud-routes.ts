import { Response, Router } from 'express';
import type { Caller } from '../core/caller';
import { BodyFormat, requireJsonOrForm } from './body';
import { idParam } from './params';
import { sendList } from './stream-json';
import { ListResult } from '../query/list';

/** What a resource service offers for the v2 verbs. */
export interface CrudService<T> {
  list(caller: Caller, query: Record<string, unknown>): Promise<ListResult>;
  create(caller: Caller, body: unknown, format: BodyFormat): Promise<T>;
  get(caller: Caller, id: number): Promise<T>;
  update(caller: Caller, id: number, body: unknown, format: BodyFormat): Promise<T>;
  remove(caller: Caller, id: number): Promise<T>;
}

/**
 * The v2 routes of a resource: `GET /` (query language), `POST /`, `GET /:id`, `PUT` or `POST /:id`
 * (Administrate: "we use POST for both creation and updating"), `DELETE /:id`.
 * `send` writes a record (default: as JSON); contacts use it to add `X-Duped-Email`.
 */
export function crudRoutes<T>(service: CrudService<T>, send: (res: Response, record: T) => void = (res, r) => void res.json(r)): Router {
  const r = Router();
  const id = (raw: unknown) => idParam(String(raw));
  r.get('/', async (req, res) => {
    await sendList(res, await service.list(req.user!, req.query as Record<string, unknown>));
  });
  r.post('/', requireJsonOrForm, async (req, res) => send(res, await service.create(req.user!, req.body, req.bodyFormat!)));
  r.get('/:id', async (req, res) => send(res, await service.get(req.user!, id(req.params.id))));
  for (const method of ['put', 'post'] as const) {
    r[method]('/:id', requireJsonOrForm, async (req, res) => send(res, await service.update(req.user!, id(req.params.id), req.body, req.bodyFormat!)));
  }
  r.delete('/:id', async (req, res) => send(res, await service.remove(req.user!, id(req.params.id))));
  return r;
}
