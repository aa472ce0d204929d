import { Knex } from 'knex';
import type { Viewer } from '../../core/caller';
import { FieldProblem, NotFoundError, ValidationError } from '../../core/errors';
import { checkAdmin } from '../../access/permissions';
import { listRows, ListResult } from '../../query/list';
import { ListQuery } from '../../query/parse';
import { usersOfOrg } from '../users/repo';
import { teamCatalogue, TEAM_WRITABLE } from './fields';
import { TeamRepo, TeamRow } from './repo';

/** A team with its member ids. */
export type Team = TeamRow & { users: number[] };
export type TeamInput = { name?: unknown; description?: unknown; users?: unknown };

/** Teams: named groups of users; an account assigned to a team is visible to its members. Admins manage them. */
export class TeamService {
  private readonly repo: TeamRepo;

  constructor(private readonly knex: Knex) {
    this.repo = new TeamRepo(knex);
  }

  list(viewer: Viewer, q: ListQuery): Promise<ListResult<Team>> {
    return listRows<TeamRow, Team>({ knex: this.knex, scoped: this.repo.scoped(viewer.orgId), catalogue: teamCatalogue, q, softDelete: false, serialize: (rows, db) => this.load(db, rows) });
  }

  async get(viewer: Viewer, id: number, db: Knex = this.knex): Promise<Team> {
    const row = await this.repo.find(db, viewer.orgId, id);
    if (!row) throw new NotFoundError('team', id);
    return (await this.load(db, [row]))[0];
  }

  /** ForbiddenError unless the viewer may manage teams (a dialect asks before it reads the body). */
  checkMayManage(viewer: Viewer): void {
    checkAdmin(viewer, 'only admins can manage teams');
  }

  async create(viewer: Viewer, input: TeamInput): Promise<Team> {
    this.checkMayManage(viewer);
    return this.knex.transaction(async (trx) => {
      const users = await this.checkUsers(trx, viewer, input.users);
      const row = await this.repo.insert(trx, { org_id: viewer.orgId, name: input.name, description: input.description ?? null });
      if (users?.length) await this.repo.setMembers(trx, viewer.orgId, row.id, users, false);
      return this.get(viewer, row.id, trx);
    });
  }

  async update(viewer: Viewer, id: number, input: TeamInput): Promise<Team> {
    this.checkMayManage(viewer);
    return this.knex.transaction(async (trx) => {
      if (!(await this.repo.find(trx, viewer.orgId, id, true))) throw new NotFoundError('team', id);
      const users = await this.checkUsers(trx, viewer, input.users);
      const patch: Record<string, unknown> = {};
      for (const k of TEAM_WRITABLE) if (input[k as keyof TeamInput] !== undefined) patch[k] = input[k as keyof TeamInput];
      if (users) {
        await this.repo.setMembers(trx, viewer.orgId, id, users, true);
        patch.version = this.repo.touch(trx);
      }
      if (Object.keys(patch).length) await this.repo.update(trx, viewer.orgId, id, patch);
      return this.get(viewer, id, trx);
    });
  }

  /** Removes the team; accounts assigned to it lose that assignment (and its members their view). */
  async remove(viewer: Viewer, id: number): Promise<Team> {
    this.checkMayManage(viewer);
    return this.knex.transaction(async (trx) => {
      const team = await this.get(viewer, id, trx);
      await this.repo.delete(trx, viewer.orgId, id);
      return team;
    });
  }

  private async checkUsers(db: Knex, viewer: Viewer, raw: unknown): Promise<number[] | undefined> {
    if (raw === undefined) return undefined;
    const sent = (raw as number[] | null) ?? [];
    const found = await usersOfOrg(db, viewer.orgId, [...new Set(sent)]);
    const details: FieldProblem[] = [];
    sent.forEach((id, i) => {
      if (!found.has(id)) details.push({ field: `users[${i}]`, message: `user ${id} does not exist in this organisation` });
    });
    if (details.length) throw new ValidationError(details);
    return [...new Set(sent)];
  }

  private async load(db: Knex, rows: TeamRow[]): Promise<Team[]> {
    if (!rows.length) return [];
    const members = await this.repo.members(db, rows[0].org_id, rows.map((r) => r.id));
    return rows.map((r) => ({ ...r, users: members.get(r.id) ?? [] }));
  }
}
