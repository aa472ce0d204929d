import { Knex } from 'knex';
import { TRACKED } from './fields';
import { AccountRow } from './repo';
import { formatDateTime } from '../../core/values';
import { plainValue } from './values';

export type HistoryAction = 'create' | 'update' | 'delete' | 'restore';
export type Changes = Record<string, { old: unknown; new: unknown }>;

/** Field-by-field differences, in wire form; custom fields appear as `custom_fields.field_N`. */
export function diffAccounts(before: AccountRow | undefined, after: AccountRow): Changes {
  const changes: Changes = {};
  if (!before) {
    // A new account: every field that has a value (the same result as the general loop, without
    // comparing against nothing: an import creates a million of these).
    for (const name of TRACKED) {
      const n = plainValue(name, after[name]);
      if (n !== null && n !== undefined) changes[name] = { old: null, new: n };
    }
    for (const [key, n] of Object.entries((after.custom_fields ?? {}) as Record<string, unknown>)) {
      if (n !== null && n !== undefined) changes[`custom_fields.${key}`] = { old: null, new: n };
    }
    return changes;
  }
  for (const name of TRACKED) {
    const o = before ? plainValue(name, before[name]) : null;
    const n = plainValue(name, after[name]);
    if (JSON.stringify(o) !== JSON.stringify(n) && !(before === undefined && n === null)) changes[name] = { old: o, new: n };
  }
  const oc = (before?.custom_fields ?? {}) as Record<string, unknown>;
  const nc = (after.custom_fields ?? {}) as Record<string, unknown>;
  for (const key of new Set([...Object.keys(oc), ...Object.keys(nc)])) {
    const o = oc[key] ?? null;
    const n = nc[key] ?? null;
    if (JSON.stringify(o) !== JSON.stringify(n)) changes[`custom_fields.${key}`] = { old: o, new: n };
  }
  return changes;
}

export function actionFor(before: AccountRow | undefined, after: AccountRow): HistoryAction {
  if (!before) return 'create';
  if (!before.is_deleted && after.is_deleted) return 'delete';
  if (before.is_deleted && !after.is_deleted) return 'restore';
  return 'update';
}

/** The account_history row for one change, or undefined when an update changed nothing. */
export interface HistoryRow {
  org_id: number;
  account_id: number;
  user_id: number;
  action: HistoryAction;
  version: number;
  changes: Changes;
}

export function historyRow(userId: number, before: AccountRow | undefined, after: AccountRow, related: Changes = {}): HistoryRow | undefined {
  const changes = { ...diffAccounts(before, after), ...related };
  if (before && Object.keys(changes).length === 0) return undefined;
  return {
    org_id: after.org_id,
    account_id: after.id,
    user_id: userId,
    action: actionFor(before, after),
    version: after.version,
    changes,
  };
}

/** Records one change in the writer's transaction, so history and data cannot disagree. */
export async function recordChange(db: Knex, userId: number, before: AccountRow | undefined, after: AccountRow, related: Changes = {}): Promise<void> {
  const row = historyRow(userId, before, after, related);
  if (row) await db('account_history').insert({ ...row, changes: JSON.stringify(row.changes) });
}

/** Many changes in one statement (an import's batch). */
export async function insertHistory(db: Knex, rows: HistoryRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db.raw(
    `INSERT INTO account_history (org_id, account_id, user_id, action, version, changes)
     SELECT org_id, account_id, user_id, action, version, changes
       FROM jsonb_to_recordset(?::jsonb) AS x(org_id int, account_id int, user_id int, action text, version int, changes jsonb)`,
    [JSON.stringify(rows)],
  );
}

export async function listHistory(db: Knex, orgId: number, accountId: number) {
  const rows = await db('account_history as h')
    .leftJoin('users as u', 'u.id', 'h.user_id')
    .where({ 'h.org_id': orgId, 'h.account_id': accountId })
    .orderBy('h.id')
    .select('h.id', 'h.at', 'h.action', 'h.version', 'h.changes', 'h.user_id', 'u.email as user_email');
  return rows.map((r) => ({
    id: Number(r.id),
    at: formatDateTime(r.at, true),
    action: r.action,
    version: r.version,
    user_id: r.user_id,
    user_email: r.user_email ?? null,
    changes: r.changes,
  }));
}
