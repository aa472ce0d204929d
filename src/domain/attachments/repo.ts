import { Knex } from 'knex';
import type { Viewer } from '../../core/caller';
import { visibleThroughAccount } from '../../access/account-scope';

export type AttachmentRow = {
  id: number;
  account_id: number;
  uploaded_by: number;
  file_name: string;
  content_type: string;
  size: string | number;
  sha256: string;
  storage_key: string;
  created_on: Date;
};

/** The only SQL of attachments. */
export class AttachmentRepo {
  constructor(readonly knex: Knex) {}

  ofAccount(orgId: number, accountId: number): Promise<AttachmentRow[]> {
    return this.knex('attachments').where({ org_id: orgId, account_id: accountId }).orderBy('id');
  }

  findVisible(viewer: Viewer, id: number, db: Knex = this.knex): Promise<AttachmentRow | undefined> {
    return visibleThroughAccount(db, viewer, 'attachments').where('attachments.id', id).first('attachments.*');
  }

  async insert(values: Omit<AttachmentRow, 'id' | 'created_on'> & { org_id: number }): Promise<AttachmentRow> {
    const [row] = await this.knex('attachments').insert(values).returning('*');
    return row;
  }

  async delete(db: Knex, orgId: number, id: number): Promise<void> {
    await db('attachments').where({ org_id: orgId, id }).delete();
  }
}
