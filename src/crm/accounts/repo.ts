import { Knex } from 'knex';
import { onlyVisibleAccounts, Viewer } from '../access/visibility';

export type AccountRow = Record<string, unknown> & {
  id: number;
  org_id: number;
  company_id: number;
  custom_fields: Record<string, unknown>;
  is_deleted: boolean;
  version: number;
};

export interface Related {
  industries: Map<number, { id: number; name: string }[]>;
  tags: Map<number, string[]>;
  assignees: Map<number, number[]>;
  teams: Map<number, number[]>;
}

/** The only place that writes SQL for accounts. Every call takes the organisation. */
export class AccountRepo {
  constructor(private readonly knex: Knex) {}

  /** Base of every read: the organisation's accounts that the viewer may see. */
  scoped(viewer: Viewer, db: Knex = this.knex): Knex.QueryBuilder {
    return onlyVisibleAccounts(db('accounts').where('accounts.org_id', viewer.orgId), viewer);
  }

  /** `forUpdate` locks the row for the caller's transaction (read-check-write without races). */
  async findById(viewer: Viewer, id: number, db: Knex = this.knex, forUpdate = false): Promise<AccountRow | undefined> {
    const q = this.scoped(viewer, db).where('accounts.id', id).first('accounts.*');
    return forUpdate ? q.forUpdate() : q;
  }

  async findByExternalId(viewer: Viewer, externalId: string, db: Knex = this.knex, forUpdate = false): Promise<AccountRow | undefined> {
    const q = this.scoped(viewer, db).where('accounts.external_id', externalId).first('accounts.*');
    return forUpdate ? q.forUpdate() : q;
  }

  /** Oldest live-or-deleted account with this import_id (imports record the source's id there). */
  async findByImportId(viewer: Viewer, importId: string, db: Knex = this.knex): Promise<AccountRow | undefined> {
    return this.scoped(viewer, db).where('accounts.import_id', importId).orderBy('accounts.id').first('accounts.*').forUpdate();
  }

  async insert(values: Record<string, unknown>, db: Knex = this.knex): Promise<AccountRow> {
    const [row] = await db('accounts').insert(values).returning('*');
    return row;
  }

  /** Partial update; custom fields are merged key by key into the stored object. */
  async update(
    viewer: Viewer,
    id: number,
    values: Record<string, unknown>,
    customFields: Record<string, unknown> | undefined,
    db: Knex = this.knex,
  ): Promise<AccountRow | undefined> {
    const patch: Record<string, unknown> = { ...values };
    if (customFields && Object.keys(customFields).length > 0) {
      patch.custom_fields = db.raw('accounts.custom_fields || ?::jsonb', [JSON.stringify(customFields)]);
    }
    if (Object.keys(patch).length === 0) return this.findById(viewer, id, db);
    const [row] = await this.scoped(viewer, db).where('accounts.id', id).update(patch).returning('*');
    return row;
  }

  /** Industries, tags, assignees and teams of a batch of accounts: four queries whatever its size. */
  async related(ids: number[], db: Knex = this.knex): Promise<Related> {
    const industries = new Map<number, { id: number; name: string }[]>();
    const tags = new Map<number, string[]>();
    const assignees = new Map<number, number[]>();
    const teams = new Map<number, number[]>();
    if (ids.length === 0) return { industries, tags, assignees, teams };
    const [ind, tg, asg, tms] = await Promise.all([
      db('account_industries as ai')
        .join('industries as i', 'i.id', 'ai.industry_id')
        .whereIn('ai.account_id', ids)
        .orderBy(['ai.account_id', 'i.name'])
        .select('ai.account_id', 'i.id', 'i.name'),
      db('account_tags as at')
        .join('tags as t', 't.id', 'at.tag_id')
        .whereIn('at.account_id', ids)
        .orderBy(['at.account_id', 't.name'])
        .select('at.account_id', 't.name'),
      db('account_assignees').whereIn('account_id', ids).orderBy(['account_id', 'user_id']).select('account_id', 'user_id'),
      db('account_teams').whereIn('account_id', ids).orderBy(['account_id', 'team_id']).select('account_id', 'team_id'),
    ]);
    for (const r of asg) assignees.set(r.account_id, [...(assignees.get(r.account_id) ?? []), r.user_id]);
    for (const r of tms) teams.set(r.account_id, [...(teams.get(r.account_id) ?? []), r.team_id]);
    for (const r of ind) {
      const list = industries.get(r.account_id) ?? [];
      list.push({ id: r.id, name: r.name });
      industries.set(r.account_id, list);
    }
    for (const r of tg) {
      const list = tags.get(r.account_id) ?? [];
      list.push(r.name);
      tags.set(r.account_id, list);
    }
    return { industries, tags, assignees, teams };
  }
}
