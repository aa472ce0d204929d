import { Knex } from 'knex';
import type { Viewer } from '../core/caller';

export type { Viewer } from '../core/caller';

/**
 * SQL (with bindings) true when `viewer` may see the account whose id and creator are the given
 * columns: admins see the whole organisation; users see what they created or are assigned to,
 * directly or through one of their teams. Answered by indexes from the user's side.
 */
export function accountVisibleSql(viewer: Viewer, idColumn: string, createdByColumn: string): { sql: string; bindings: Knex.RawBinding[] } {
  return {
    // Every table named with its org_id, so the query stays on one tenant's shard (docs/scaling.md).
    sql: `(?? = ?
      OR EXISTS (SELECT 1 FROM account_assignees v2_aa WHERE v2_aa.org_id = ? AND v2_aa.account_id = ?? AND v2_aa.user_id = ?)
      OR EXISTS (SELECT 1 FROM account_teams v2_at JOIN team_members v2_tm ON v2_tm.org_id = v2_at.org_id AND v2_tm.team_id = v2_at.team_id
                 WHERE v2_at.org_id = ? AND v2_at.account_id = ?? AND v2_tm.user_id = ?))`,
    bindings: [createdByColumn, viewer.id, viewer.orgId, idColumn, viewer.id, viewer.orgId, idColumn, viewer.id],
  };
}

/** Restricts an accounts query to what the viewer may see (nothing to add for admins). */
export function onlyVisibleAccounts(qb: Knex.QueryBuilder, viewer: Viewer): Knex.QueryBuilder {
  if (viewer.role === 'admin') return qb;
  const v = accountVisibleSql(viewer, 'accounts.id', 'accounts.created_by');
  return qb.whereRaw(v.sql, v.bindings);
}

/**
 * Records hanging off an account (contacts, invoices): visible when the viewer created them, when
 * they belong to no account, or when their account is visible.
 */
export function onlyVisibleChildren(qb: Knex.QueryBuilder, viewer: Viewer, table: string): Knex.QueryBuilder {
  if (viewer.role === 'admin') return qb;
  const v = accountVisibleSql(viewer, 'v2_acc.id', 'v2_acc.created_by');
  return qb.where((w) =>
    w
      .where(`${table}.created_by`, viewer.id)
      .orWhereNull(`${table}.account_id`)
      .orWhereRaw(`EXISTS (SELECT 1 FROM accounts v2_acc WHERE v2_acc.org_id = ? AND v2_acc.id = ?? AND ${v.sql})`, [viewer.orgId, `${table}.account_id`, ...v.bindings]),
  );
}
