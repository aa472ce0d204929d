import { Knex } from 'knex';
import { onlyVisibleAccounts, Viewer } from '../../access/visibility';
import { BALANCE_SQL, OwedRow } from '../../money/balance';
import { PREPARED } from '../../db/prepared';

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
    const q = this.scoped(viewer, db).where('accounts.id', id).first('accounts.*').options(PREPARED);
    return forUpdate ? q.forUpdate() : q;
  }

  async findByExternalId(viewer: Viewer, externalId: string, db: Knex = this.knex, forUpdate = false): Promise<AccountRow | undefined> {
    const q = this.scoped(viewer, db).where('accounts.external_id', externalId).first('accounts.*').options(PREPARED);
    return forUpdate ? q.forUpdate() : q;
  }

  /**
   * One account with its related sets and balance aggregate, in one round trip (see relatedColumns,
   * BALANCE_SQL). `viewer` undefined reads within the organisation only (a write's own response).
   */
  async findFull(orgId: number, viewer: Viewer | undefined, id: number): Promise<(AccountRow & { rel_balance: OwedRow[] | null }) | undefined> {
    const base = viewer ? this.scoped(viewer) : this.knex('accounts').where('accounts.org_id', orgId);
    // The hottest read of all (GET /accounts/:id): prepared, so PostgreSQL does not plan it every time.
    return base.where('accounts.id', id).first('accounts.*', ...relatedColumns(this.knex), this.knex.raw(`${BALANCE_SQL} AS rel_balance`)).options(PREPARED);
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
    // The response's related sets and balance come back with the row: no read after the write.
    const [row] = await this.scoped(viewer, db)
      .where('accounts.id', id)
      .update(patch)
      .returning(['accounts.*', ...relatedColumns(db), db.raw(`${BALANCE_SQL} AS rel_balance`)]);
    return row;
  }

  /**
   * Industries, tags, assignees and teams of a batch of accounts (a list page): one query whatever
   * the batch size. Cheaper than relatedColumns' per-row subqueries once there are many rows.
   */
  async related(orgId: number, ids: number[], db: Knex = this.knex): Promise<Related> {
    const out: Related = { industries: new Map(), tags: new Map(), assignees: new Map(), teams: new Map() };
    if (ids.length === 0) return out;
    const values = ids.map(() => '(?::int)').join(', ');
    const { rows } = (await db.raw(
      `WITH ids(id) AS (VALUES ${values})
       SELECT 'i' AS k, ai.account_id AS a, i.id AS n, i.name AS s FROM ids JOIN account_industries ai ON ai.org_id = ? AND ai.account_id = ids.id
         JOIN industries i ON i.org_id = ai.org_id AND i.id = ai.industry_id
       UNION ALL SELECT 't', at.account_id, NULL, t.name FROM ids JOIN account_tags at ON at.org_id = ? AND at.account_id = ids.id
         JOIN tags t ON t.org_id = at.org_id AND t.id = at.tag_id
       UNION ALL SELECT 'u', aa.account_id, aa.user_id, NULL FROM ids JOIN account_assignees aa ON aa.org_id = ? AND aa.account_id = ids.id
       UNION ALL SELECT 'm', ac.account_id, ac.team_id, NULL FROM ids JOIN account_teams ac ON ac.org_id = ? AND ac.account_id = ids.id
       ORDER BY 1, 2, 4, 3`,
      [...ids, orgId, orgId, orgId, orgId],
    )) as { rows: { k: string; a: number; n: number | null; s: string | null }[] };
    const push = <T>(m: Map<number, T[]>, id: number, v: T) => {
      const list = m.get(id);
      if (list) list.push(v);
      else m.set(id, [v]);
    };
    for (const r of rows) {
      if (r.k === 'i') push(out.industries, r.a, { id: r.n!, name: r.s! });
      else if (r.k === 't') push(out.tags, r.a, r.s!);
      else if (r.k === 'u') push(out.assignees, r.a, r.n!);
      else push(out.teams, r.a, r.n!);
    }
    return out;
  }
}

/**
 * The related sets as columns of an accounts query (json arrays, NULL when empty), so reading one
 * account is one round trip. Read back with relatedFromRows. (Per-row subqueries: for pages of
 * many rows `related` is ten times cheaper.)
 */
export function relatedColumns(db: Knex): Knex.Raw[] {
  return [
    db.raw(`(SELECT json_agg(json_build_object('id', i.id, 'name', i.name) ORDER BY i.name)
               FROM account_industries ai JOIN industries i ON i.org_id = ai.org_id AND i.id = ai.industry_id
              WHERE ai.org_id = accounts.org_id AND ai.account_id = accounts.id) AS rel_industries`),
    db.raw(`(SELECT json_agg(t.name ORDER BY t.name) FROM account_tags at JOIN tags t ON t.org_id = at.org_id AND t.id = at.tag_id
              WHERE at.org_id = accounts.org_id AND at.account_id = accounts.id) AS rel_tags`),
    db.raw('(SELECT json_agg(aa.user_id ORDER BY aa.user_id) FROM account_assignees aa WHERE aa.org_id = accounts.org_id AND aa.account_id = accounts.id) AS rel_assignees'),
    db.raw('(SELECT json_agg(ac.team_id ORDER BY ac.team_id) FROM account_teams ac WHERE ac.org_id = accounts.org_id AND ac.account_id = accounts.id) AS rel_teams'),
  ];
}

/** An account's related sets in history's wire form (tag and industry names, user and team ids). */
export function relationWire(rel: Related, id: number): Record<'tags' | 'industries' | 'assigned_to' | 'teams', unknown[]> {
  return {
    tags: rel.tags.get(id) ?? [],
    industries: (rel.industries.get(id) ?? []).map((i) => i.name),
    assigned_to: rel.assignees.get(id) ?? [],
    teams: rel.teams.get(id) ?? [],
  };
}

type RelatedRow = { id: number; rel_industries: { id: number; name: string }[] | null; rel_tags: string[] | null; rel_assignees: number[] | null; rel_teams: number[] | null };

export function relatedFromRows(rows: readonly Record<string, unknown>[]): Related {
  const out: Related = { industries: new Map(), tags: new Map(), assignees: new Map(), teams: new Map() };
  for (const r of rows as RelatedRow[]) {
    if (r.rel_industries) out.industries.set(r.id, r.rel_industries);
    if (r.rel_tags) out.tags.set(r.id, r.rel_tags);
    if (r.rel_assignees) out.assignees.set(r.id, r.rel_assignees);
    if (r.rel_teams) out.teams.set(r.id, r.rel_teams);
  }
  return out;
}
