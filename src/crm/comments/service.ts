import { Knex } from 'knex';
import { Caller } from '../../auth/basic';
import { BodyFormat } from '../../http/body';
import { ForbiddenError, NotFoundError } from '../../http/errors';
import { wireDateTime } from '../../http/wire';
import { validateBody } from '../../openapi/validator';
import { requireVisibleAccount, visibleThroughAccount } from '../access/account-scope';

type CommentRow = { id: number; account_id: number; author_id: number; comment: string; commented_on: Date; updated: Date };

function serialize(r: CommentRow) {
  return {
    id: r.id,
    account_id: r.account_id,
    comment: r.comment,
    commented_by: r.author_id,
    commented_on: wireDateTime(r.commented_on),
    updated: wireDateTime(r.updated, true),
  };
}

/** Comments on accounts: anyone who sees the account may comment; the author or an admin edits and deletes. */
export class CommentService {
  constructor(private readonly knex: Knex) {}

  async list(caller: Caller, accountId: number) {
    await requireVisibleAccount(this.knex, caller, accountId);
    const rows: CommentRow[] = await this.knex('comments').where({ org_id: caller.orgId, account_id: accountId }).orderBy('id');
    return rows.map(serialize);
  }

  async create(caller: Caller, accountId: number, body: unknown, format: BodyFormat) {
    const input = validateBody('CommentWrite', body, format);
    await requireVisibleAccount(this.knex, caller, accountId);
    const [row] = await this.knex('comments').insert({ org_id: caller.orgId, account_id: accountId, author_id: caller.id, comment: input.comment }).returning('*');
    return serialize(row);
  }

  async update(caller: Caller, id: number, body: unknown, format: BodyFormat) {
    const input = validateBody('CommentWrite', body, format);
    return this.knex.transaction(async (trx) => {
      await this.mayChange(trx, caller, id, 'edit');
      const [row] = await trx('comments').where({ org_id: caller.orgId, id }).update({ comment: input.comment }).returning('*');
      return serialize(row);
    });
  }

  async remove(caller: Caller, id: number) {
    await this.knex.transaction(async (trx) => {
      await this.mayChange(trx, caller, id, 'delete');
      await trx('comments').where({ org_id: caller.orgId, id }).delete();
    });
  }

  private async mayChange(db: Knex, caller: Caller, id: number, verb: string) {
    const row = await visibleThroughAccount(db, caller, 'comments').where('comments.id', id).forUpdate().first('comments.author_id');
    if (!row) throw new NotFoundError('comment', id);
    if (caller.role !== 'admin' && row.author_id !== caller.id) throw new ForbiddenError(`only the author of comment ${id} or an admin can ${verb} it`);
  }
}
