/** @type {import('jest').Config} */
module.exports = {
  // node, plus PGlite's WASM compiled once per worker instead of once per spec file.
  testEnvironment: '<rootDir>/spec/support/environment.js',
  roots: ['<rootDir>/spec'],
  testMatch: ['**/*.spec.ts'],
  // spec/scale runs in its own pass on a real server (jest.scale.config.js, make test-scale).
  testPathIgnorePatterns: ['/node_modules/', '/spec/scale/'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }] },
  globalSetup: '<rootDir>/spec/support/global-setup.ts',
  globalTeardown: '<rootDir>/spec/support/global-teardown.ts',
  testTimeout: 60000,
  // PGlite is a WASM PostgreSQL per test file, so the suite is CPU-bound; but the specs of the built
  // server and CLI spend seconds waiting on their processes (a start, a shutdown's quiet second, a
  // timeout). A third worker fills those waits on this machine's two cores: jest 150.8 s with two
  // workers, 142.6 s with three (same tree, back to back).
  maxWorkers: 3,
};
