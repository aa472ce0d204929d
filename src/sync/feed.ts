import { Knex } from 'knex';
import { accountVisibleSql } from '../access/visibility';
import type { Viewer } from '../core/caller';
import { encodeCursor, Position } from './cursor';
import { ChangeAction, SyncedResource } from './resources';

export interface ChangeEntry {
  cursor: string;
  resource: string;
  id: number;
  action: ChangeAction;
  version: number;
  changed_at: string;
  changed_by: number | null;
}

export interface FeedQuery {
  after?: Position;
  limit: number;
  resource?: SyncedResource;
}

/**
 * The feed's horizon: the smallest transaction id that may still commit a change of this database.
 * That is the snapshot's xmin, except that transactions of *other* databases on the same server (which
 * hold xmin back but never write our `changes`) are left out when pg_stat_activity names their
 * database. An in-progress transaction that cannot be placed (it ended in between, or its session's
 * details are hidden from this role) counts, so the horizon can only be too low (a short lag), never
 * too high (a gap). `backend_xid` is 32-bit; running transaction ids are less than 2^31 apart, so the
 * low 32 bits of the snapshot's 64-bit ids identify them. Uncorrelated: evaluated once per statement,
 * on the statement's own snapshot (the one the rows are read with).
 */
export const HORIZON_SQL = `(SELECT coalesce(min(x.x), pg_snapshot_xmax(pg_current_snapshot()))
    FROM pg_snapshot_xip(pg_current_snapshot()) AS x(x)
   WHERE NOT EXISTS (SELECT 1 FROM pg_stat_activity a
                      WHERE a.datname <> current_database() AND a.backend_xid IS NOT NULL
                        AND a.backend_xid::text = (x.x::text::numeric % 4294967296)::text))`;

/** Resources whose visibility follows their account alone; contacts and invoices also show their creator's own and account-less ones. */
const THROUGH_ACCOUNT = new Set(['crm/accounts', 'crm/comments', 'crm/attachments']);

/**
 * The viewer's changes after `after`, oldest first (docs/sync.md). Only changes whose transaction id is
 * below the horizon (the xmin of this statement's snapshot, for this database) are returned: every
 * transaction with a smaller id has ended (committed or rolled back), so nothing can later appear
 * before a position handed out here, and a transaction still running (whatever its id) shows up only
 * after it ends, behind every cursor given so far. Ordered by (xid, seq), the order the cursor
 * compares in.
 */
export async function readChanges(db: Knex, viewer: Viewer, q: FeedQuery): Promise<ChangeEntry[]> {
  const qb = db('changes as c')
    .where('c.org_id', viewer.orgId)
    .whereRaw(`c.xid < ${HORIZON_SQL}`);
  if (q.after) qb.whereRaw('(c.xid, c.seq) > (?::xid8, ?::bigint)', [q.after.xid, q.after.seq]);
  if (q.resource) qb.where('c.resource', q.resource);
  if (viewer.role !== 'admin') {
    // The account's current visibility decides, also for records since deleted (their account stays).
    const v = accountVisibleSql(viewer, 'v2_fa.id', 'v2_fa.created_by');
    const accountVisible = `EXISTS (SELECT 1 FROM accounts v2_fa WHERE v2_fa.org_id = ? AND v2_fa.id = c.account_id AND ${v.sql})`;
    qb.where((w) =>
      w
        .where((a) => a.whereIn('c.resource', [...THROUGH_ACCOUNT]).whereRaw(accountVisible, [viewer.orgId, ...v.bindings]))
        .orWhere((o) =>
          o.whereNotIn('c.resource', [...THROUGH_ACCOUNT]).where((x) =>
            x
              .where('c.owner_id', viewer.id)
              .orWhereNull('c.account_id')
              .orWhereRaw(accountVisible, [viewer.orgId, ...v.bindings]),
          ),
        ),
    );
  }
  const rows: { xid: string; seq: string | number; resource: string; record_id: number; action: ChangeAction; version: number; changed_at: Date | string; changed_by: number | null }[] =
    await qb
      .orderBy([{ column: 'c.xid' }, { column: 'c.seq' }])
      .limit(q.limit)
      .select(db.raw('c.xid::text AS xid'), db.raw('c.seq::text AS seq'), 'c.resource', 'c.record_id', 'c.action', 'c.version', 'c.changed_at', 'c.changed_by');
  return rows.map((r) => ({
    cursor: encodeCursor({ xid: r.xid, seq: String(r.seq) }),
    resource: r.resource,
    id: r.record_id,
    action: r.action,
    version: r.version,
    changed_at: new Date(r.changed_at).toISOString(),
    changed_by: r.changed_by,
  }));
}

/** The feed as a service, so the routes that serve it need no database handle of their own. */
export class ChangeFeed {
  constructor(private readonly knex: Knex) {}

  read(viewer: Viewer, q: FeedQuery): Promise<ChangeEntry[]> {
    return readChanges(this.knex, viewer, q);
  }
}
