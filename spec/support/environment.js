const fs = require('node:fs');
const path = require('node:path');
const { TestEnvironment } = require('jest-environment-node');

/**
 * jest's node environment, plus PGlite's WASM compiled once per worker process. Every spec file has
 * its own module registry, so PGlite read and compiled its 9 MB pglite.wasm (and read its 6 MB file
 * system bundle) for each file again: about half a second of CPU per makeTestApp. test-app.ts hands
 * these to PGlite.create.
 */
let artifacts;
function pgliteArtifacts() {
  artifacts ??= (async () => {
    const dist = path.dirname(require.resolve('@electric-sql/pglite'));
    const compile = (name) => WebAssembly.compile(fs.readFileSync(path.join(dist, name)));
    const [pgliteWasmModule, initdbWasmModule] = await Promise.all([compile('pglite.wasm'), compile('initdb.wasm')]);
    return { pgliteWasmModule, initdbWasmModule, fsBundle: bytesOf(path.join(dist, 'pglite.data')) };
  })();
  return artifacts;
}

/**
 * A file's bytes, read once per worker, handed out as what PGlite reads a Blob for: it only calls
 * `arrayBuffer()` (and looks at `type`) on its file system bundle and on a data directory to load.
 * A real Blob of the 42 MB template cost about 0.6 s of CPU per test database in Node 20 (the copy
 * into the Blob, then its chunked read back); each caller gets its own copy, which PGlite may keep.
 */
const files = new Map();
function bytesOf(file, type = '') {
  if (!files.has(file)) {
    const b = fs.readFileSync(file);
    files.set(file, b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  }
  const bytes = files.get(file);
  return { type, size: bytes.byteLength, arrayBuffer: async () => bytes.slice(0) };
}

/**
 * A value made once per worker and handed to every later spec file: the response checkers of
 * conformance.ts, whose schemas ajv compiled (about a quarter second per file). The value belongs to
 * the realm of the file that made it; it must be a pure function of its inputs (no file's state).
 */
const memos = new Map();
function workerMemo(key, make) {
  if (!memos.has(key)) memos.set(key, make());
  return memos.get(key);
}

module.exports = class Environment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.global.v2crmPgliteArtifacts = pgliteArtifacts;
    this.global.v2crmFileBytes = bytesOf;
    this.global.v2crmWorkerMemo = workerMemo;
    // Emscripten's glue tests `module instanceof WebAssembly.Module`, false across realms: the spec
    // file's WebAssembly.Module also recognises this worker's modules (V8's own checks already do).
    const Module = this.global.WebAssembly.Module;
    Object.defineProperty(Module, Symbol.hasInstance, {
      value: (v) => v instanceof WebAssembly.Module || Function.prototype[Symbol.hasInstance].call(Module, v),
    });
  }
};
