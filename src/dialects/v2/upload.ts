import crypto from 'node:crypto';
import fs from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import { Request } from 'express';
import { HttpError, ValidationError } from '../../http/errors';
import { AttachmentStore, ReceivedFile } from '../../domain/attachments/store';
import { stopReading } from '../../http/read-body';

const FILE_FIELDS = ['attachment', 'file'];
// Room for the multipart framing around the file itself.
const FRAMING_BYTES = 64 * 1024;

/** The client's file name as a label only: no directories, no control characters, bounded. */
export function cleanFileName(raw: string | undefined): string {
  const base = (raw ?? '').split(/[/\\]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\x00-\x1f\x7f]/g, '').trim().slice(0, 255);
  return clean === '' || clean === '.' || clean === '..' ? 'file' : clean;
}

function cleanContentType(raw: string | undefined): string {
  const t = (raw ?? '').trim().toLowerCase();
  return /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/.test(t) ? t : 'application/octet-stream';
}

function tooLarge(max: number) {
  return new HttpError(413, 'payload_too_large', `the attachment is larger than ${Math.floor(max / 1024 / 1024)} MB (ATTACHMENT_MAX_MB)`, [
    { field: 'attachment', message: `must be at most ${max} bytes` },
  ]);
}

/**
 * Streams the one file of a multipart request (field `attachment`, or `file`) to a temp file while
 * hashing it; never holds it in memory. Past `maxBytes` the upload is refused with a 413 at once (the
 * rest is not read: the connection is closed after the answer) and the temp file removed. Every
 * stream involved has an error handler: a body cut short is a 400 and leaves nothing on disk, whatever
 * part it cut. On success the caller commits the temp file (store.commit) or removes it.
 */
export async function receiveUpload(req: Request, store: AttachmentStore, maxBytes: number): Promise<ReceivedFile> {
  if (!req.is('multipart/form-data')) {
    throw new HttpError(415, 'unsupported_media_type', 'send the file as multipart/form-data with a field named "attachment"');
  }
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > maxBytes + FRAMING_BYTES) {
    if (req.res) stopReading(req, req.res);
    throw tooLarge(maxBytes);
  }
  await store.ready();

  return new Promise<ReceivedFile>((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      // One byte over the limit is enough to know the file is too large; UTF-8 file names as browsers send them.
      bb = busboy({ headers: req.headers, defParamCharset: 'utf8', limits: { files: 1, fileSize: maxBytes + 1, fields: 20, parts: 25 } });
    } catch (e) {
      reject(new ValidationError([{ field: 'Content-Type', message: (e as Error).message }]));
      return;
    }
    let written: Promise<ReceivedFile | undefined> = Promise.resolve(undefined);
    let fileStream: NodeJS.ReadableStream | undefined;
    let out: fs.WriteStream | undefined;
    let settled = false;
    const key = store.newKey();
    const tmp = store.tempPath(key);

    // The one way out on failure: stop reading, let the file write stop, remove what it wrote, answer.
    const fail = (err: HttpError | ValidationError) => {
      if (settled) return;
      settled = true;
      req.unpipe(bb);
      if (err instanceof HttpError && err.status === 413 && req.res) stopReading(req, req.res);
      (fileStream as unknown as { destroy?: () => void } | undefined)?.destroy?.();
      // Wait for the temp file to be closed (not for the pipeline: a destroyed busboy stream may
      // never settle it), then remove it.
      const closed = out && !out.closed ? new Promise<void>((r) => out!.once('close', () => r())) : Promise.resolve();
      out?.destroy();
      void closed
        .then(() => store.remove(tmp))
        .catch(() => undefined)
        .then(() => reject(err));
    };
    const cutShort = (e: Error) => new ValidationError([{ field: 'attachment', message: `the multipart body could not be read: ${e.message}` }]);

    bb.on('file', (field, stream, info) => {
      // busboy emits errors (e.g. "Unexpected end of form") on every file stream: unheard, one kills the process.
      stream.on('error', (e: Error) => fail(cutShort(e)));
      if (!FILE_FIELDS.includes(field) || fileStream) {
        stream.resume();
        return;
      }
      fileStream = stream;
      const hash = crypto.createHash('sha256');
      let size = 0;
      stream.on('limit', () => fail(tooLarge(maxBytes)));
      const counter = new Transform({
        transform(chunk: Buffer, _enc, done) {
          size += chunk.length;
          hash.update(chunk);
          done(null, chunk);
        },
      });
      out = fs.createWriteStream(tmp, { flags: 'wx' });
      written = pipeline(stream, counter, out).then(() => ({
        key,
        fileName: cleanFileName(info.filename),
        contentType: cleanContentType(info.mimeType),
        size,
        sha256: hash.digest('hex'),
      }));
      written.catch((e: Error) => fail(cutShort(e)));
    });
    bb.on('error', (e: Error) => fail(cutShort(e)));
    bb.on('close', () => {
      written.then(
        (file) => {
          if (settled) return;
          if (!file) return fail(new ValidationError([{ field: 'attachment', message: 'is required: a file part named "attachment"' }]));
          if (file.size > maxBytes) return fail(tooLarge(maxBytes));
          settled = true;
          resolve(file);
        },
        (e: Error) => fail(cutShort(e)),
      );
    });
    req.on('aborted', () => fail(new HttpError(400, 'request_aborted', 'the client closed the connection before the upload arrived')));
    req.on('error', (e: Error) => fail(cutShort(e)));
    req.pipe(bb);
  });
}
