import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import { Request } from 'express';
import { DjangoError, invalid } from './errors';
import { DomainError } from '../../core/errors';
import type { ReceiveFile } from '../../domain/attachments/service';

/** Django-CRM's file fields: `account_attachment` (HEAD), `attachment` (the seed). */
const FILE_FIELDS = ['account_attachment', 'attachment'];

export interface SpooledFile {
  path: string;
  fileName: string;
  mimeType: string;
  size: number;
}

export interface MultipartBody {
  fields: Record<string, string | string[]>;
  file?: SpooledFile;
}

const tooLarge = () => new DjangoError(400, { error: true, errors: { attachment: ['Files must be 25 MB or smaller.'] } });

/**
 * A multipart body read whole: its text fields, and its one file spooled to a temp file (never held
 * in memory; past `maxBytes` the request is refused with Django-CRM's 400). The caller removes the file.
 */
export function readMultipart(req: Request, maxBytes: number): Promise<MultipartBody> {
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers: req.headers, defParamCharset: 'utf8', limits: { files: 5, fileSize: maxBytes + 1, fields: 200, fieldSize: 1024 * 1024, parts: 210 } });
    } catch (e) {
      reject(invalid({ non_field_errors: [`Multipart form parse error - ${(e as Error).message}`] }));
      return;
    }
    const fields: Record<string, string | string[]> = Object.create(null);
    let file: SpooledFile | undefined;
    let writing: Promise<void> = Promise.resolve();
    let failed = false;
    const fail = (e: Error) => {
      if (failed) return;
      failed = true;
      req.unpipe(bb);
      req.resume();
      writing.catch(() => undefined).then(() => (file ? fs.promises.rm(file.path, { force: true }) : undefined)).catch(() => undefined).then(() => reject(e));
    };
    bb.on('field', (name, value) => {
      if (name === '__proto__') return;
      const prev = fields[name];
      fields[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
    });
    bb.on('file', (name, stream, info) => {
      stream.on('error', (e: Error) => fail(invalid({ non_field_errors: [`Multipart form parse error - ${e.message}`] })));
      if (!FILE_FIELDS.includes(name) || file) {
        stream.resume();
        return;
      }
      const tmp = path.join(os.tmpdir(), `v2crm-djangocrm-${crypto.randomBytes(8).toString('hex')}`);
      const spooled: SpooledFile = { path: tmp, fileName: info.filename ?? 'file', mimeType: info.mimeType ?? 'application/octet-stream', size: 0 };
      file = spooled;
      stream.on('data', (c: Buffer) => (spooled.size += c.length));
      stream.on('limit', () => fail(tooLarge()));
      writing = pipeline(stream, fs.createWriteStream(tmp, { flags: 'wx' }));
      writing.catch((e: Error) => fail(invalid({ non_field_errors: [`Multipart form parse error - ${e.message}`] })));
    });
    bb.on('error', (e: Error) => fail(invalid({ non_field_errors: [`Multipart form parse error - ${e.message}`] })));
    bb.on('close', () => {
      writing.then(() => {
        if (failed) return;
        if (file && file.size > maxBytes) return fail(tooLarge());
        resolve({ fields, file });
      }, () => undefined);
    });
    req.on('error', (e: Error) => fail(e));
    req.pipe(bb);
  });
}

/**
 * Hands a spooled upload to the core: copied into the store's temp area with its digest, refused
 * past the attachment limit (413) before anything is kept; the core commits it and writes the row.
 */
export function receiveSpooled(file: SpooledFile): ReceiveFile {
  return async (store, maxBytes) => {
    if (file.size > maxBytes) {
      throw new DomainError('too_large', 'payload_too_large', `the attachment is larger than ${Math.floor(maxBytes / 1024 / 1024)} MB (ATTACHMENT_MAX_MB)`, [
        { field: 'attachment', message: `is ${file.size} bytes; at most ${maxBytes}` },
      ]);
    }
    await store.ready();
    const key = store.newKey();
    const hash = crypto.createHash('sha256');
    const source = fs.createReadStream(file.path);
    source.on('data', (c) => hash.update(c));
    await pipeline(source, fs.createWriteStream(store.tempPath(key)));
    return { key, fileName: file.fileName, contentType: file.mimeType, size: file.size, sha256: hash.digest('hex') };
  };
}
