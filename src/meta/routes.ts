import { Router } from 'express';
import { Knex } from 'knex';
import { requireJsonOrForm } from '../http/body';
import { ForbiddenError, NotFoundError } from '../http/errors';
import { validateBody } from '../openapi/validator';
import { addDefinition, loadDefinitions, metaShape, NewDefinition, removeDefinition } from './custom-fields';

/** `/api/v2/meta/crm/accounts`: the documented custom-field schema, and its management (admins). */
export function metaRoutes(knex: Knex): Router {
  const r = Router();
  const model = 'crm/accounts' as const;

  r.get('/crm/accounts', async (req, res) => {
    res.json(metaShape(await loadDefinitions(knex, req.user!.orgId, model)));
  });

  r.post('/crm/accounts/custom_fields', requireJsonOrForm, async (req, res) => {
    if (req.user!.role !== 'admin') throw new ForbiddenError('only admins can define custom fields');
    const input = validateBody('CustomFieldDefinitionCreate', req.body, req.bodyFormat!) as unknown as NewDefinition;
    const def = await addDefinition(knex, req.user!.orgId, model, input);
    res.status(201).json({ [def.key]: { type: def.type, label: def.label, ...(def.choices ? { choices: def.choices } : {}) } });
  });

  r.delete('/crm/accounts/custom_fields/:key', async (req, res) => {
    if (req.user!.role !== 'admin') throw new ForbiddenError('only admins can remove custom fields');
    if (!(await removeDefinition(knex, req.user!.orgId, model, req.params.key))) {
      throw new NotFoundError('custom field', req.params.key);
    }
    res.status(204).end();
  });

  return r;
}
