import { Router } from 'express';
import { Knex } from 'knex';
import { requireJsonOrForm } from '../http/body';
import { ForbiddenError, NotFoundError } from '../http/errors';
import { validateBody } from '../openapi/validator';
import { addDefinition, CUSTOM_FIELD_MODELS, CustomFieldModel, loadDefinitions, metaShape, NewDefinition, removeDefinition } from './custom-fields';

/** `/api/v2/meta/crm/accounts` (and contacts): the documented custom-field schema, and its management (admins). */
export function metaRoutes(knex: Knex): Router {
  const r = Router();
  for (const model of CUSTOM_FIELD_MODELS) modelRoutes(r, knex, model);
  return r;
}

function modelRoutes(r: Router, knex: Knex, model: CustomFieldModel) {
  r.get(`/${model}`, async (req, res) => {
    res.json(metaShape(await loadDefinitions(knex, req.user!.orgId, model)));
  });

  r.post(`/${model}/custom_fields`, requireJsonOrForm, async (req, res) => {
    if (req.user!.role !== 'admin') throw new ForbiddenError('only admins can define custom fields');
    const input = validateBody('CustomFieldDefinitionCreate', req.body, req.bodyFormat!) as unknown as NewDefinition;
    const def = await addDefinition(knex, req.user!.orgId, model, input);
    res.status(201).json({ [def.key]: { type: def.type, label: def.label, ...(def.choices ? { choices: def.choices } : {}) } });
  });

  r.delete(`/${model}/custom_fields/:key`, async (req, res) => {
    if (req.user!.role !== 'admin') throw new ForbiddenError('only admins can remove custom fields');
    if (!(await removeDefinition(knex, req.user!.orgId, model, req.params.key))) {
      throw new NotFoundError('custom field', req.params.key);
    }
    res.status(204).end();
  });
}
