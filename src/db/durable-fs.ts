import fs from 'node:fs';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';

// The package ships CommonJS for this subpath but declares types for ESM only.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { NodeFS } = require('@electric-sql/pglite/nodefs') as { NodeFS: new (dir: string) => NodeFSLike };

interface NodeFSLike {
  init(pg: PGlite, opts: EmscriptenOpts): Promise<{ emscriptenOpts: EmscriptenOpts }>;
  syncToFs(relaxedDurability?: boolean): Promise<void>;
  closeFs(): Promise<void>;
}
interface EmscriptenOpts {
  preRun?: ((mod: EmscriptenModule) => void)[];
  [k: string]: unknown;
}
interface FsNode {
  name: string;
  parent: FsNode;
}
interface EmscriptenModule {
  NODEFS: {
    realPath(node: FsNode): string;
    stream_ops: Record<string, (...a: never[]) => unknown>;
    node_ops: Record<string, (...a: never[]) => unknown>;
  };
}

/** What fsync cost, for the startup log and the bench. */
export interface SyncStats {
  syncs: number;
  files: number;
  ms: number;
}

/**
 * PGlite's NodeFS writes straight into the host's files but never fsyncs them (its syncToFs, which
 * PGlite calls after every statement outside a transaction and so after every COMMIT, is empty):
 * a commit survives `kill -9` but not an OS crash or power loss. This subclass records every host
 * file written, truncated, created, renamed or removed through Emscripten's NODEFS and, in
 * syncToFs, fdatasyncs those files (the WAL first) and fsyncs the directories whose entries changed,
 * before the statement's promise resolves, so before the API acknowledges the write.
 */
export class DurableNodeFS extends NodeFS {
  private files = new Set<string>();
  private dirs = new Set<string>();
  readonly stats: SyncStats = { syncs: 0, files: 0, ms: 0 };

  override async init(pg: PGlite, opts: EmscriptenOpts) {
    const out = await super.init(pg, opts);
    const preRun = [...(out.emscriptenOpts.preRun ?? []), (mod: EmscriptenModule) => this.track(mod)];
    return { emscriptenOpts: { ...out.emscriptenOpts, preRun } };
  }

  private track(mod: EmscriptenModule) {
    const nodefs = mod.NODEFS;
    const file = (node: FsNode) => this.files.add(nodefs.realPath(node));
    const dir = (parent: FsNode) => this.dirs.add(nodefs.realPath(parent));
    const wrap = (ops: Record<string, (...a: never[]) => unknown>, name: string, note: (...a: never[]) => void) => {
      const original = ops[name];
      ops[name] = (...a: never[]) => {
        const r = original(...a);
        note(...a);
        return r;
      };
    };
    wrap(nodefs.stream_ops, 'write', (stream: { node: FsNode }) => file(stream.node));
    wrap(nodefs.stream_ops, 'setattr', (stream: { node: FsNode }) => file(stream.node));
    wrap(nodefs.node_ops, 'setattr', (node: FsNode) => file(node));
    wrap(nodefs.node_ops, 'mknod', (parent: FsNode) => dir(parent));
    wrap(nodefs.node_ops, 'unlink', (parent: FsNode) => dir(parent));
    wrap(nodefs.node_ops, 'rmdir', (parent: FsNode) => dir(parent));
    wrap(nodefs.node_ops, 'symlink', (parent: FsNode) => dir(parent));
    wrap(nodefs.node_ops, 'rename', (node: FsNode, newDir: FsNode) => {
      dir(node.parent);
      dir(newDir);
    });
  }

  override async syncToFs(relaxedDurability?: boolean): Promise<void> {
    await super.syncToFs(relaxedDurability);
    if (this.files.size === 0 && this.dirs.size === 0) return;
    const started = process.hrtime.bigint();
    const files = [...this.files].sort((a, b) => Number(b.includes(`${path.sep}pg_wal${path.sep}`)) - Number(a.includes(`${path.sep}pg_wal${path.sep}`)));
    const dirs = [...this.dirs];
    this.files = new Set();
    this.dirs = new Set();
    for (const f of files) syncPath(f, true);
    for (const d of dirs) syncPath(d, false);
    this.stats.syncs++;
    this.stats.files += files.length + dirs.length;
    this.stats.ms += Number(process.hrtime.bigint() - started) / 1e6;
  }
}

/** Synchronous on purpose: PGlite runs one statement at a time and waits for this anyway. */
function syncPath(p: string, data: boolean): void {
  let fd: number;
  try {
    fd = fs.openSync(p, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return; // removed since: its directory is synced
    throw e;
  }
  try {
    if (data) fs.fdatasyncSync(fd);
    else fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
