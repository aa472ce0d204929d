import { pipeline } from 'node:stream/promises';
import { Router } from 'express';
import type { Viewer } from '../../core/caller';
import { ATTACHMENT_FIELDS } from '../../domain/attachments/fields';
import { AttachmentRow, AttachmentService } from '../../domain/attachments/service';
import { accountIdOf, recordIdOf } from './params';
import { serializeRecord } from './serialize';
import { receiveUpload } from './upload';

export const serializeAttachment = (r: AttachmentRow) =>
  serializeRecord(ATTACHMENT_FIELDS, r, { size: Number(r.size), download_url: `/api/v2/crm/attachments/${r.id}/download` });

/** An account's attachments in the v2 shape (also `?expand=attachments` on an account). */
export class AttachmentsV2 {
  constructor(readonly service: AttachmentService) {}

  async list(viewer: Viewer, accountId: number): Promise<Record<string, unknown>[]> {
    return (await this.service.list(viewer, accountId)).map(serializeAttachment);
  }
}

/** `/api/v2/crm/accounts/:id/attachments` (list, upload: multipart/form-data). */
export function accountAttachmentRoutes(v2: AttachmentsV2): Router {
  const r = Router({ mergeParams: true });
  r.get('/', async (req, res) => {
    res.json(await v2.list(req.user!, accountIdOf(req.params)));
  });
  r.post('/', async (req, res) => {
    const row = await v2.service.upload(req.user!, accountIdOf(req.params), (store, maxBytes) => receiveUpload(req, store, maxBytes));
    res.status(201).json(serializeAttachment(row));
  });
  return r;
}

/** `/api/v2/crm/attachments/:id` (metadata, download, delete). */
export function attachmentRoutes(v2: AttachmentsV2): Router {
  const r = Router();
  r.get('/:id', async (req, res) => {
    res.json(serializeAttachment(await v2.service.get(req.user!, recordIdOf(req.params))));
  });
  r.get('/:id/download', async (req, res) => {
    const { row, stream } = await v2.service.open(req.user!, recordIdOf(req.params));
    // res.attachment writes a safe Content-Disposition (RFC 6266, UTF-8 aware) for the original name.
    res.attachment(row.file_name);
    res.setHeader('Content-Type', row.content_type);
    res.setHeader('Content-Length', String(row.size));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    await pipeline(stream, res);
  });
  r.delete('/:id', async (req, res) => {
    await v2.service.remove(req.user!, recordIdOf(req.params));
    res.status(204).end();
  });
  return r;
}
