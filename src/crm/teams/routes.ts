import { Router } from 'express';
import { crudRoutes } from '../../http/crud-routes';
import { TeamService } from './service';

/** `/api/v2/crm/teams`: everyone reads; admins create, change and remove (checked by the service). */
export function teamRoutes(service: TeamService): Router {
  return crudRoutes(service);
}
