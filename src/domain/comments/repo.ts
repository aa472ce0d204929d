import { Knex } from 'knex';
import type { Viewer } from '../../core/caller';
import { visibleThroughAccount } from '../../access/account-scope';

export type CommentRow = { id: number; org_id: number; account_id: number; author_id: number; comment: string; commented_on: Date; updated: Date };

/** The only SQL of comments. */
export class CommentRepo {
  constructor(private readonly knex: Knex) {}

  ofAccount(orgId: number, accountId: number): Promise<CommentRow[]> {
    return this.knex('comments').where({ org_id: orgId, account_id: accountId }).orderBy('id');
  }

  visible(viewer: Viewer, id: number): Promise<CommentRow | undefined> {
    return visibleThroughAccount(this.knex, viewer, 'comments').where('comments.id', id).first('comments.*');
  }

  async insert(values: { org_id: number; account_id: number; author_id: number; comment: string }): Promise<CommentRow> {
    const [row] = await this.knex('comments').insert(values).returning('*');
    return row;
  }

  /** The comment, locked, when the viewer may see its account. */
  findVisibleForUpdate(db: Knex, viewer: Viewer, id: number): Promise<Pick<CommentRow, 'author_id'> | undefined> {
    return visibleThroughAccount(db, viewer, 'comments').where('comments.id', id).forUpdate().first('comments.author_id');
  }

  async setText(db: Knex, orgId: number, id: number, comment: string): Promise<CommentRow> {
    const [row] = await db('comments').where({ org_id: orgId, id }).update({ comment }).returning('*');
    return row;
  }

  async delete(db: Knex, orgId: number, id: number): Promise<void> {
    await db('comments').where({ org_id: orgId, id }).delete();
  }

  transaction<T>(fn: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
    return this.knex.transaction(fn);
  }
}
