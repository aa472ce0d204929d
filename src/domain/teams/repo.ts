import { Knex } from 'knex';

export type TeamRow = { id: number; org_id: number; name: string; description: string | null; created: Date; updated: Date };

/** The only SQL of teams and their members. */
export class TeamRepo {
  constructor(readonly knex: Knex) {}

  scoped(orgId: number): Knex.QueryBuilder {
    return this.knex('teams').where('teams.org_id', orgId);
  }

  find(db: Knex, orgId: number, id: number, forUpdate = false): Promise<TeamRow | undefined> {
    const q = db('teams').where({ org_id: orgId, id }).first();
    return forUpdate ? q.forUpdate() : q;
  }

  async insert(db: Knex, values: { org_id: number; name: unknown; description: unknown }): Promise<TeamRow> {
    const [row] = await db('teams').insert(values).returning('*');
    return row;
  }

  async update(db: Knex, orgId: number, id: number, patch: Record<string, unknown>): Promise<void> {
    await db('teams').where({ org_id: orgId, id }).update(patch);
  }

  /** Writing the version to itself fires the update trigger: members changed, so the team did. */
  touch(db: Knex): Knex.Raw {
    return db.raw('teams.version');
  }

  async delete(db: Knex, orgId: number, id: number): Promise<void> {
    await db('teams').where({ org_id: orgId, id }).delete();
  }

  async setMembers(db: Knex, orgId: number, teamId: number, userIds: number[], replace: boolean): Promise<void> {
    if (replace) await db('team_members').where({ org_id: orgId, team_id: teamId }).delete();
    if (userIds.length) await db('team_members').insert(userIds.map((user_id) => ({ org_id: orgId, team_id: teamId, user_id })));
  }

  /** Member ids by team, ascending. */
  async members(db: Knex, orgId: number, teamIds: number[]): Promise<Map<number, number[]>> {
    const rows = await db('team_members').where('org_id', orgId).whereIn('team_id', teamIds).orderBy(['team_id', 'user_id']).select('team_id', 'user_id');
    const by = new Map<number, number[]>();
    for (const m of rows) by.set(m.team_id, [...(by.get(m.team_id) ?? []), m.user_id]);
    return by;
  }
}
