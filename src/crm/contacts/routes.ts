import { Response, Router } from 'express';
import { crudRoutes } from '../../http/crud-routes';
import { ContactResult, ContactService } from './service';

function send(res: Response, r: ContactResult) {
  if (r.dupedEmail) res.setHeader('X-Duped-Email', 'yes');
  res.json(r.body);
}

/** `/api/v2/crm/contacts`: the same verbs and query language as accounts. */
export function contactRoutes(service: ContactService): Router {
  return crudRoutes(service, send);
}
