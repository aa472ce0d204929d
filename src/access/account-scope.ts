import { Knex } from 'knex';
import { NotFoundError } from '../core/errors';
import { onlyVisibleAccounts, Viewer } from './visibility';

/** True when the account exists in the viewer's organisation and the viewer may see it. */
export async function visibleAccount(db: Knex, viewer: Viewer, accountId: number): Promise<boolean> {
  const q = onlyVisibleAccounts(db('accounts').where({ 'accounts.org_id': viewer.orgId, 'accounts.id': accountId }), viewer);
  return Boolean(await q.first('accounts.id'));
}

/** NotFoundError unless the account exists in the viewer's organisation and the viewer may see it. */
export async function checkAccountVisible(db: Knex, viewer: Viewer, accountId: number): Promise<void> {
  if (!(await visibleAccount(db, viewer, accountId))) throw new NotFoundError('account', accountId);
}

/**
 * Rows of `table` (comments, attachments, e-mails) in the viewer's organisation whose account the
 * viewer may see: a record on an account you cannot see does not exist for you.
 */
export function visibleThroughAccount(db: Knex, viewer: Viewer, table: string): Knex.QueryBuilder {
  return db(table)
    .where(`${table}.org_id`, viewer.orgId)
    .whereExists(function () {
      onlyVisibleAccounts(this.select(db.raw('1')).from('accounts').whereRaw('accounts.org_id = ?? AND accounts.id = ??', [`${table}.org_id`, `${table}.account_id`]), viewer);
    });
}
