import { Knex } from 'knex';
import type { FieldProblem as ErrorDetail } from '../../core/errors';
import { onlyVisibleChildren, Viewer } from '../../access/visibility';
import { visibleAccount } from '../../access/account-scope';

/**
 * Contact and parent references of an account, checked against the organisation. A parent may not
 * be the account itself or one of its descendants (that would make a cycle). A record the caller may
 * not see answers exactly as an unknown one, so ids cannot be probed for existence.
 */
export interface KnownIds {
  /** Contact and account ids of the organisation already looked up (an import looks up a batch's at once). */
  contacts: ReadonlySet<number>;
  accounts: ReadonlySet<number>;
}

export async function checkAccountReferences(
  db: Knex,
  viewer: Viewer,
  values: Record<string, unknown>,
  selfId: number | undefined,
  details: ErrorDetail[],
  known?: KnownIds,
): Promise<void> {
  for (const field of ['primary_contact_id', 'initial_contact_id'] as const) {
    const id = values[field];
    if (id === undefined || id === null) continue;
    // An import (an operator's run, organisation-wide) passes the batch's ids looked up at once.
    if (!(known ? known.contacts.has(id as number) : await onlyVisibleChildren(db('contacts').where({ 'contacts.org_id': viewer.orgId, 'contacts.id': id }), viewer, 'contacts').first('contacts.id'))) {
      details.push({ field, message: `contact ${id} does not exist in this organisation` });
    }
  }
  const parent = values.parent_id;
  if (parent === undefined || parent === null) return;
  if (parent === selfId) {
    details.push({ field: 'parent_id', message: 'an account cannot be its own parent' });
    return;
  }
  if (!(known ? known.accounts.has(parent as number) : await visibleAccount(db, viewer, parent as number))) {
    details.push({ field: 'parent_id', message: `account ${parent} does not exist in this organisation` });
    return;
  }
  if (selfId === undefined) return;
  // Walk up from the new parent; meeting this account on the way means a cycle.
  const { rows } = (await db.raw(
    `WITH RECURSIVE up(id, parent_id, depth) AS (
       SELECT id, parent_id, 1 FROM accounts WHERE id = ? AND org_id = ?
       UNION ALL
       SELECT a.id, a.parent_id, up.depth + 1 FROM accounts a JOIN up ON a.id = up.parent_id WHERE a.org_id = ? AND up.depth < 1000
     ) SELECT 1 AS hit FROM up WHERE id = ? LIMIT 1`,
    [parent as number, viewer.orgId, viewer.orgId, selfId],
  )) as { rows: unknown[] };
  if (rows.length) details.push({ field: 'parent_id', message: `account ${parent} is a descendant of account ${selfId}; that would make a cycle` });
}
