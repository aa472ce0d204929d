/**
 * The multi-process suite (`make test-scale`): real server processes, PgBouncer, a streaming replica.
 * Always on a real PostgreSQL server (several processes cannot share one PGlite), one spec at a time
 * (each starts processes and clusters of its own).
 */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/spec/scale'],
  testMatch: ['**/*.spec.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }] },
  testTimeout: 120000,
  maxWorkers: 1,
};
