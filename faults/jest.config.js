/** The fault suite (`make faults`): real server processes, signals and database clusters; not part of `make test`. */
/** @type {import('jest').Config} */
module.exports = {
  rootDir: '..',
  testEnvironment: 'node',
  roots: ['<rootDir>/faults'],
  testMatch: ['**/*.fault.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }] },
  testTimeout: 300000,
  maxWorkers: 1,
};
