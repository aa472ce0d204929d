import fs from 'node:fs';
import { Request } from 'express';
import { Knex } from 'knex';
import { Caller } from '../../auth/basic';
import { ForbiddenError, NotFoundError } from '../../http/errors';
import { wireDateTime } from '../../http/wire';
import { requireVisibleAccount, visibleThroughAccount } from '../access/account-scope';
import { AttachmentStore } from './store';
import { receiveUpload } from './upload';

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

function serialize(r: AttachmentRow) {
  return {
    id: r.id,
    account_id: r.account_id,
    file_name: r.file_name,
    content_type: r.content_type,
    size: Number(r.size),
    sha256: r.sha256,
    uploaded_by: r.uploaded_by,
    created_on: wireDateTime(r.created_on),
    download_url: `/api/v2/crm/attachments/${r.id}/download`,
  };
}

/**
 * Files on accounts. Order of writes, so a crash loses nothing and leaves no row without its file:
 * upload → temp file → rename into place → insert the row (a failed insert removes the file).
 * Delete → remove the row (commit) → remove the file. A crash between the two steps can leave a
 * file without a row (harmless, never served), never a row without a file.
 */
export class AttachmentService {
  constructor(
    private readonly knex: Knex,
    private readonly store: AttachmentStore,
    private readonly maxBytes: number,
  ) {}

  async list(caller: Caller, accountId: number) {
    await requireVisibleAccount(this.knex, caller, accountId);
    const rows: AttachmentRow[] = await this.knex('attachments').where({ org_id: caller.orgId, account_id: accountId }).orderBy('id');
    return rows.map(serialize);
  }

  async upload(caller: Caller, accountId: number, req: Request) {
    // Checked before reading the body: an account you cannot see gets no file written.
    await requireVisibleAccount(this.knex, caller, accountId);
    const file = await receiveUpload(req, this.store, this.maxBytes);
    try {
      await this.store.commit(file.key);
      const [row] = await this.knex('attachments')
        .insert({
          org_id: caller.orgId,
          account_id: accountId,
          uploaded_by: caller.id,
          file_name: file.fileName,
          content_type: file.contentType,
          size: file.size,
          sha256: file.sha256,
          storage_key: file.key,
        })
        .returning('*');
      return serialize(row);
    } catch (e) {
      await this.store.remove(this.store.tempPath(file.key));
      await this.store.remove(this.store.filePath(file.key));
      throw e;
    }
  }

  async get(caller: Caller, id: number) {
    return serialize(await this.find(caller, id));
  }

  /** The row and an open stream of its file. */
  async open(caller: Caller, id: number): Promise<{ row: AttachmentRow; stream: fs.ReadStream }> {
    const row = await this.find(caller, id);
    const stream = fs.createReadStream(this.store.filePath(row.storage_key));
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
    return { row, stream };
  }

  async remove(caller: Caller, id: number) {
    const key = await this.knex.transaction(async (trx) => {
      const row = await this.find(caller, id, trx);
      if (caller.role !== 'admin' && row.uploaded_by !== caller.id) {
        throw new ForbiddenError(`only the user who uploaded attachment ${id} or an admin can delete it`);
      }
      await trx('attachments').where({ org_id: caller.orgId, id }).delete();
      return row.storage_key;
    });
    // The row is gone (committed); now the file.
    await this.store.remove(this.store.filePath(key));
  }

  private async find(caller: Caller, id: number, db: Knex = this.knex): Promise<AttachmentRow> {
    const row = await visibleThroughAccount(db, caller, 'attachments').where('attachments.id', id).first('attachments.*');
    if (!row) throw new NotFoundError('attachment', id);
    return row;
  }
}
