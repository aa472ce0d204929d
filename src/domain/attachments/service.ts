import fs from 'node:fs';
import { Knex } from 'knex';
import type { Viewer } from '../../core/caller';
import { NotFoundError } from '../../core/errors';
import { checkAccountVisible } from '../../access/account-scope';
import { checkMayChange } from '../../access/permissions';
import { AttachmentRepo, AttachmentRow } from './repo';
import { AttachmentStore, ReceivedFile } from './store';

export type { AttachmentRow } from './repo';

/** Streams the caller's file into the store's temp area (the wire's business: multipart, limits). */
export type ReceiveFile = (store: AttachmentStore, maxBytes: number) => Promise<ReceivedFile>;

/**
 * Files on accounts. Order of writes, so a crash loses nothing and leaves no row without its file:
 * upload → temp file → rename into place → insert the row (a failed insert removes the file).
 * Delete → remove the row (commit) → remove the file. A crash between the two steps can leave a
 * file without a row (harmless, never served), never a row without a file.
 */
export class AttachmentService {
  private readonly repo: AttachmentRepo;

  constructor(
    private readonly knex: Knex,
    private readonly store: AttachmentStore,
    private readonly maxBytes: number,
  ) {
    this.repo = new AttachmentRepo(knex);
  }

  async list(viewer: Viewer, accountId: number): Promise<AttachmentRow[]> {
    await checkAccountVisible(this.knex, viewer, accountId);
    return this.repo.ofAccount(viewer.orgId, accountId);
  }

  async upload(viewer: Viewer, accountId: number, receive: ReceiveFile): Promise<AttachmentRow> {
    // Checked before reading the body: an account you cannot see gets no file written.
    await checkAccountVisible(this.knex, viewer, accountId);
    const file = await receive(this.store, this.maxBytes);
    try {
      await this.store.commit(file.key);
      return await this.repo.insert({
        org_id: viewer.orgId,
        account_id: accountId,
        uploaded_by: viewer.id,
        file_name: file.fileName,
        content_type: file.contentType,
        size: file.size,
        sha256: file.sha256,
        storage_key: file.key,
      });
    } catch (e) {
      await this.store.remove(this.store.tempPath(file.key));
      await this.store.remove(this.store.filePath(file.key));
      throw e;
    }
  }

  get(viewer: Viewer, id: number): Promise<AttachmentRow> {
    return this.find(viewer, id);
  }

  /** The row and an open stream of its file. */
  async open(viewer: Viewer, id: number): Promise<{ row: AttachmentRow; stream: fs.ReadStream }> {
    const row = await this.find(viewer, id);
    const stream = fs.createReadStream(this.store.filePath(row.storage_key));
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
    return { row, stream };
  }

  async remove(viewer: Viewer, id: number): Promise<void> {
    const key = await this.knex.transaction(async (trx) => {
      const row = await this.find(viewer, id, trx);
      checkMayChange(viewer, row.uploaded_by, `only the user who uploaded attachment ${id} or an admin can delete it`);
      await this.repo.delete(trx, viewer.orgId, id);
      return row.storage_key;
    });
    // The row is gone (committed); now the file.
    await this.store.remove(this.store.filePath(key));
  }

  private async find(viewer: Viewer, id: number, db: Knex = this.knex): Promise<AttachmentRow> {
    const row = await this.repo.findVisible(viewer, id, db);
    if (!row) throw new NotFoundError('attachment', id);
    return row;
  }
}
