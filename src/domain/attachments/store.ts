import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Attachment files on disk. Names are random keys, so nothing a client sends ever becomes part of a
 * path. Uploads land in `tmp/` and are renamed into `files/` (same file system, atomic) only once
 * complete, so a half-written file is never served.
 */
export class AttachmentStore {
  private readonly tmpDir: string;
  private readonly filesDir: string;

  constructor(root: string) {
    this.tmpDir = path.join(root, 'tmp');
    this.filesDir = path.join(root, 'files');
  }

  async ready(): Promise<void> {
    await fs.promises.mkdir(this.tmpDir, { recursive: true });
    await fs.promises.mkdir(this.filesDir, { recursive: true });
  }

  newKey(): string {
    return crypto.randomBytes(16).toString('hex');
  }

  tempPath(key: string): string {
    return path.join(this.tmpDir, `${this.checked(key)}.part`);
  }

  filePath(key: string): string {
    return path.join(this.filesDir, this.checked(key));
  }

  async commit(key: string): Promise<void> {
    await fs.promises.rename(this.tempPath(key), this.filePath(key));
  }

  /** Removes a file (or a temp file); a file already gone is not an error. */
  async remove(file: string): Promise<void> {
    await fs.promises.rm(file, { force: true });
  }

  /** Keys are ours (hex); anything else is a bug, never a path. */
  private checked(key: string): string {
    if (!/^[0-9a-f]{32}$/.test(key)) throw new Error(`invalid storage key ${JSON.stringify(key)}`);
    return key;
  }
}

/** A file received into the store's temp area, not yet committed. */
export interface ReceivedFile {
  key: string;
  fileName: string;
  contentType: string;
  size: number;
  sha256: string;
}
