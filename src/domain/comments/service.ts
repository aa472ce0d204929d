import { Knex } from 'knex';
import type { Viewer } from '../../core/caller';
import { NotFoundError } from '../../core/errors';
import { checkAccountVisible } from '../../access/account-scope';
import { checkMayChange } from '../../access/permissions';
import { CommentRepo, CommentRow } from './repo';

export type { CommentRow } from './repo';

/** Comments on accounts: anyone who sees the account may comment; the author or an admin edits and deletes. */
export class CommentService {
  private readonly repo: CommentRepo;

  constructor(private readonly knex: Knex) {
    this.repo = new CommentRepo(knex);
  }

  async list(viewer: Viewer, accountId: number): Promise<CommentRow[]> {
    await checkAccountVisible(this.knex, viewer, accountId);
    return this.repo.ofAccount(viewer.orgId, accountId);
  }

  /** One comment, if its account is visible to the viewer. */
  async get(viewer: Viewer, id: number): Promise<CommentRow> {
    const row = await this.repo.visible(viewer, id);
    if (!row) throw new NotFoundError('comment', id);
    return row;
  }

  async create(viewer: Viewer, accountId: number, input: { comment: string }): Promise<CommentRow> {
    await checkAccountVisible(this.knex, viewer, accountId);
    return this.repo.insert({ org_id: viewer.orgId, account_id: accountId, author_id: viewer.id, comment: input.comment });
  }

  async update(viewer: Viewer, id: number, input: { comment: string }): Promise<CommentRow> {
    return this.repo.transaction(async (trx) => {
      await this.mayChange(trx, viewer, id, 'edit');
      return this.repo.setText(trx, viewer.orgId, id, input.comment);
    });
  }

  async remove(viewer: Viewer, id: number): Promise<void> {
    await this.repo.transaction(async (trx) => {
      await this.mayChange(trx, viewer, id, 'delete');
      await this.repo.delete(trx, viewer.orgId, id);
    });
  }

  private async mayChange(db: Knex, viewer: Viewer, id: number, verb: string) {
    const row = await this.repo.findVisibleForUpdate(db, viewer, id);
    if (!row) throw new NotFoundError('comment', id);
    checkMayChange(viewer, row.author_id, `only the author of comment ${id} or an admin can ${verb} it`);
  }
}
