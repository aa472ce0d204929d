import { Router } from 'express';
import { requireJsonOrForm } from '../../http/body';
import { validateBody } from '../../openapi/validator';
import { INDUSTRY_FIELDS } from '../../domain/industries/fields';
import { IndustryRow, IndustryService } from '../../domain/industries/service';
import { recordIdOf } from './params';
import { serializeRecord } from './serialize';

const serializeIndustry = (r: IndustryRow) => serializeRecord(INDUSTRY_FIELDS, r);

/** `/api/v2/crm/industries`: the managed list accounts' `industries` pick from. Admins manage it. */
export function industryRoutes(service: IndustryService): Router {
  const r = Router();
  r.get('/', async (req, res) => {
    res.json((await service.list(req.user!)).map(serializeIndustry));
  });
  r.post('/', requireJsonOrForm, async (req, res) => {
    // A user's write is refused before its body is looked at.
    service.checkMayManage(req.user!);
    const input = validateBody('IndustryCreate', req.body, req.bodyFormat!);
    res.json(serializeIndustry(await service.create(req.user!, { name: String(input.name) })));
  });
  r.delete('/:id', async (req, res) => {
    service.checkMayManage(req.user!);
    res.json(serializeIndustry(await service.remove(req.user!, recordIdOf(req.params))));
  });
  return r;
}
