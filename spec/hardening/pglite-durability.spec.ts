import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openPglite } from '../../src/db';

jest.setTimeout(120000);

describe('PGlite commits reach the disk before they resolve (item 9)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'v2crm-durable-'));
  afterAll(() => {
    jest.restoreAllMocks();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('when a row is committed, then its WAL segment was fdatasynced before the statement returned', async () => {
    const pglite = await openPglite(path.join(dir, 'pglite'));
    try {
      await pglite.exec('CREATE TABLE t (v text)');
      const opened = new Map<number, string>();
      const synced: string[] = [];
      const open = fs.openSync;
      jest.spyOn(fs, 'openSync').mockImplementation(((p: fs.PathLike, ...rest: unknown[]) => {
        const fd = (open as (...a: unknown[]) => number)(p, ...rest);
        opened.set(fd, String(p));
        return fd;
      }) as typeof fs.openSync);
      const datasync = fs.fdatasyncSync;
      jest.spyOn(fs, 'fdatasyncSync').mockImplementation((fd: number) => {
        synced.push(opened.get(fd) ?? '?');
        datasync(fd);
      });
      await pglite.query('INSERT INTO t VALUES ($1)', ['acknowledged']);
      expect(synced.some((p) => p.includes(`${path.sep}pg_wal${path.sep}`))).toBe(true);
    } finally {
      jest.restoreAllMocks();
      await pglite.close();
    }
  });

  it('when the data directory is opened again, then the committed row is there', async () => {
    const pglite = await openPglite(path.join(dir, 'pglite'));
    try {
      expect((await pglite.query<{ v: string }>('SELECT v FROM t')).rows).toEqual([{ v: 'acknowledged' }]);
    } finally {
      await pglite.close();
    }
  });
});
