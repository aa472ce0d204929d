import { Router } from 'express';
import { Knex } from 'knex';
import { requireJsonOrForm } from '../http/body';
import { ForbiddenError, NotFoundError } from '../http/errors';
import { idParam } from '../http/params';
import { validateBody } from '../openapi/validator';

/** `/api/v2/crm/industries`: the managed list accounts' `industries` pick from. Admins manage it. */
export function industryRoutes(knex: Knex): Router {
  const r = Router();
  const adminOnly = (role: string) => {
    if (role !== 'admin') throw new ForbiddenError('only admins can manage industries');
  };
  r.get('/', async (req, res) => {
    res.json(await knex('industries').where({ org_id: req.user!.orgId }).orderBy('name').select('id', 'name'));
  });
  r.post('/', requireJsonOrForm, async (req, res) => {
    adminOnly(req.user!.role);
    const input = validateBody('IndustryCreate', req.body, req.bodyFormat!);
    const [row] = await knex('industries').insert({ org_id: req.user!.orgId, name: String(input.name).trim() }).returning(['id', 'name']);
    res.json(row);
  });
  r.delete('/:id', async (req, res) => {
    adminOnly(req.user!.role);
    const [row] = await knex('industries').where({ org_id: req.user!.orgId, id: idParam(String(req.params.id)) }).delete().returning(['id', 'name']);
    if (!row) throw new NotFoundError('industry', String(req.params.id));
    res.json(row);
  });
  return r;
}
