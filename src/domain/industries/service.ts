import { Knex } from 'knex';
import type { Viewer } from '../../core/caller';
import { NotFoundError } from '../../core/errors';
import { checkAdmin } from '../../access/permissions';
import { IndustryRepo, IndustryRow } from './repo';

export type { IndustryRow } from './repo';

/** The managed list accounts' `industries` pick from: everyone reads it, admins manage it. */
export class IndustryService {
  private readonly repo: IndustryRepo;

  constructor(knex: Knex) {
    this.repo = new IndustryRepo(knex);
  }

  /** ForbiddenError unless the viewer may change the list (a dialect asks before it reads the body). */
  checkMayManage(viewer: Viewer): void {
    checkAdmin(viewer, 'only admins can manage industries');
  }

  list(viewer: Viewer): Promise<IndustryRow[]> {
    return this.repo.list(viewer.orgId);
  }

  create(viewer: Viewer, input: { name: string }): Promise<IndustryRow> {
    this.checkMayManage(viewer);
    return this.repo.insert(viewer.orgId, input.name.trim());
  }

  async remove(viewer: Viewer, id: number): Promise<IndustryRow> {
    this.checkMayManage(viewer);
    const row = await this.repo.delete(viewer.orgId, id);
    if (!row) throw new NotFoundError('industry', id);
    return row;
  }
}
