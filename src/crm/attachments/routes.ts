import { pipeline } from 'node:stream/promises';
import { Router } from 'express';
import { idParam } from '../../http/params';
import { accountIdOf } from '../../dialects/v2/params';
import { AttachmentService } from './service';

/** `/api/v2/crm/accounts/:id/attachments` (list, upload). */
export function accountAttachmentRoutes(service: AttachmentService): Router {
  const r = Router({ mergeParams: true });
  r.get('/', async (req, res) => {
    res.json(await service.list(req.user!, accountIdOf(req.params)));
  });
  r.post('/', async (req, res) => {
    res.status(201).json(await service.upload(req.user!, accountIdOf(req.params), req));
  });
  return r;
}

/** `/api/v2/crm/attachments/:id` (metadata, download, delete). */
export function attachmentRoutes(service: AttachmentService): Router {
  const r = Router();
  r.get('/:id', async (req, res) => {
    res.json(await service.get(req.user!, idParam(String(req.params.id))));
  });
  r.get('/:id/download', async (req, res) => {
    const { row, stream } = await service.open(req.user!, idParam(String(req.params.id)));
    // res.attachment writes a safe Content-Disposition (RFC 6266, UTF-8 aware) for the original name.
    res.attachment(row.file_name);
    res.setHeader('Content-Type', row.content_type);
    res.setHeader('Content-Length', String(row.size));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    await pipeline(stream, res);
  });
  r.delete('/:id', async (req, res) => {
    await service.remove(req.user!, idParam(String(req.params.id)));
    res.status(204).end();
  });
  return r;
}
