import { Router } from 'express';
import type { Caller } from '../../core/caller';
import { BodyFormat } from '../../http/body';
import { crudRoutes } from '../../http/crud-routes';
import { validateBody } from '../../openapi/validator';
import { parseListQuery } from '../../query/parse';
import { ListResult } from '../../query/list';
import { TEAM_FIELDS, teamCatalogue } from '../../domain/teams/fields';
import { Team, TeamService } from '../../domain/teams/service';
import { mapList, serializeRecord } from './serialize';

export const serializeTeam = (t: Team) => serializeRecord(TEAM_FIELDS, t);

/** Teams over the v2 wire; a user's write is refused before its body is looked at. */
class TeamsV2 {
  constructor(private readonly service: TeamService, private readonly maxLimit: number) {}

  async list(caller: Caller, query: Record<string, unknown>): Promise<ListResult> {
    const q = parseListQuery(query, { catalogue: teamCatalogue, customFields: new Map(), maxLimit: this.maxLimit });
    return mapList(await this.service.list(caller, q), serializeTeam);
  }

  get = async (caller: Caller, id: number) => serializeTeam(await this.service.get(caller, id));
  create = async (caller: Caller, body: unknown, format: BodyFormat) => {
    this.service.checkMayManage(caller);
    return serializeTeam(await this.service.create(caller, validateBody('TeamCreate', body, format)));
  };
  update = async (caller: Caller, id: number, body: unknown, format: BodyFormat) => {
    this.service.checkMayManage(caller);
    return serializeTeam(await this.service.update(caller, id, validateBody('TeamUpdate', body, format)));
  };
  remove = async (caller: Caller, id: number) => serializeTeam(await this.service.remove(caller, id));
}

/** `/api/v2/crm/teams`: everyone reads; admins create, change and remove. */
export function teamRoutes(service: TeamService, maxLimit: number): Router {
  return crudRoutes(new TeamsV2(service, maxLimit));
}
