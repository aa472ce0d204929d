import { Knex } from 'knex';
import { Caller } from '../../auth/basic';
import { BodyFormat } from '../../http/body';
import { ErrorDetail, ForbiddenError, NotFoundError, ValidationError } from '../../http/errors';
import { wireDateTime } from '../../http/wire';
import { validateBody } from '../../openapi/validator';
import { Catalogue, columnFields, FieldDef } from '../../query/catalogue';
import { parseListQuery } from '../../query/parse';
import { listRows, ListResult } from '../../query/list';

type TeamRow = { id: number; org_id: number; name: string; description: string | null; created: Date; updated: Date };

const FIELDS: FieldDef[] = columnFields([
  ['id', 'integer', { nullable: false }],
  ['name', 'string', { nullable: false }],
  ['description', 'string'],
  ['created', 'datetime', { nullable: false }],
  ['updated', 'datetime', { nullable: false }],
]);
FIELDS.push({ name: 'users', column: 'users', type: 'integer', filterable: true, sortable: false, nullable: true, via: { kind: 'link', table: 'team_members', fk: 'team_id', value: 'user_id' } });

export const teamCatalogue: Catalogue = { resource: 'team', table: 'teams', fields: FIELDS };

/** Teams: named groups of users; an account assigned to a team is visible to its members. Admins manage them. */
export class TeamService {
  constructor(private readonly knex: Knex, private readonly maxLimit: number) {}

  async list(caller: Caller, query: Record<string, unknown>): Promise<ListResult> {
    const q = parseListQuery(query, { catalogue: teamCatalogue, customFields: new Map(), maxLimit: this.maxLimit });
    return listRows<TeamRow>({
      knex: this.knex,
      scoped: this.knex('teams').where('teams.org_id', caller.orgId),
      catalogue: teamCatalogue,
      q,
      softDelete: false,
      serialize: (rows, db) => this.serialize(db, rows),
    });
  }

  async get(caller: Caller, id: number, db: Knex = this.knex) {
    const row = await db('teams').where({ org_id: caller.orgId, id }).first();
    if (!row) throw new NotFoundError('team', id);
    return (await this.serialize(db, [row]))[0];
  }

  async create(caller: Caller, body: unknown, format: BodyFormat) {
    this.adminOnly(caller);
    const input = validateBody('TeamCreate', body, format);
    return this.knex.transaction(async (trx) => {
      const users = await this.checkUsers(trx, caller, input.users);
      const [row] = await trx('teams').insert({ org_id: caller.orgId, name: input.name, description: input.description ?? null }).returning('*');
      if (users?.length) await trx('team_members').insert(users.map((user_id) => ({ org_id: caller.orgId, team_id: row.id, user_id })));
      return this.get(caller, row.id, trx);
    });
  }

  async update(caller: Caller, id: number, body: unknown, format: BodyFormat) {
    this.adminOnly(caller);
    const input = validateBody('TeamUpdate', body, format);
    return this.knex.transaction(async (trx) => {
      if (!(await trx('teams').where({ org_id: caller.orgId, id }).forUpdate().first('id'))) throw new NotFoundError('team', id);
      const users = await this.checkUsers(trx, caller, input.users);
      const patch: Record<string, unknown> = {};
      for (const k of ['name', 'description']) if (input[k] !== undefined) patch[k] = input[k];
      if (users) {
        await trx('team_members').where({ org_id: caller.orgId, team_id: id }).delete();
        if (users.length) await trx('team_members').insert(users.map((user_id) => ({ org_id: caller.orgId, team_id: id, user_id })));
        patch.version = trx.raw('teams.version');
      }
      if (Object.keys(patch).length) await trx('teams').where({ org_id: caller.orgId, id }).update(patch);
      return this.get(caller, id, trx);
    });
  }

  /** Removes the team; accounts assigned to it lose that assignment (and its members their view). */
  async remove(caller: Caller, id: number) {
    this.adminOnly(caller);
    return this.knex.transaction(async (trx) => {
      const team = await this.get(caller, id, trx);
      await trx('teams').where({ org_id: caller.orgId, id }).delete();
      return team;
    });
  }

  private adminOnly(caller: Caller) {
    if (caller.role !== 'admin') throw new ForbiddenError('only admins can manage teams');
  }

  private async checkUsers(db: Knex, caller: Caller, raw: unknown): Promise<number[] | undefined> {
    if (raw === undefined) return undefined;
    const ids = [...new Set((raw as number[] | null) ?? [])];
    const found = new Set(ids.length ? (await db('users').where({ org_id: caller.orgId }).whereIn('id', ids).select('id')).map((r) => r.id as number) : []);
    const details: ErrorDetail[] = [];
    ((raw as number[] | null) ?? []).forEach((id, i) => {
      if (!found.has(id)) details.push({ field: `users[${i}]`, message: `user ${id} does not exist in this organisation` });
    });
    if (details.length) throw new ValidationError(details);
    return ids;
  }

  private async serialize(db: Knex, rows: TeamRow[]) {
    if (!rows.length) return [];
    const members = await db('team_members').where('org_id', rows[0].org_id).whereIn('team_id', rows.map((r) => r.id)).orderBy(['team_id', 'user_id']).select('team_id', 'user_id');
    const by = new Map<number, number[]>();
    for (const m of members) by.set(m.team_id, [...(by.get(m.team_id) ?? []), m.user_id]);
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      description: r.description ?? null,
      users: by.get(r.id) ?? [],
      created: wireDateTime(r.created),
      updated: wireDateTime(r.updated, true),
    }));
  }
}
