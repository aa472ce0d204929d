/**
 * The layering of DESIGN.md, checked by `make layers` (part of `make test`):
 * dialects → http kernel → core (domain, query, money, access, catalogue) → db.
 */

/** The core: what every part may use, and which uses no transport. */
const CORE = '^src/(core|domain|query|money|access|catalogue|db)/';

module.exports = {
  forbidden: [
    {
      name: 'core-is-transport-free',
      comment: 'The core (services, repos, query, money, access, catalogue, db) never imports Express, the HTTP kernel or a dialect: it raises src/core/errors and returns plain data.',
      severity: 'error',
      from: { path: CORE },
      to: { path: ['^src/(http|dialects)/', '(^|/)node_modules/(express|body-parser|qs|supertest)/'] },
    },
    {
      name: 'no-folder-cycles',
      comment: 'Arrows between folders point one way: no cycle of imports between two folders of src/.',
      severity: 'error',
      scope: 'folder',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'no-file-cycles',
      comment: 'No file imports itself through others.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'routes-run-no-sql',
      comment: 'A dialect turns wire input into plain input and calls the core: it never holds knex.',
      severity: 'error',
      from: { path: '^src/dialects/' },
      to: { path: '(^|/)node_modules/(knex|knex-pglite|pg)/' },
    },
    {
      name: 'dialects-are-siblings',
      comment: 'One dialect never borrows from another: each maps the same core to its own wire.',
      severity: 'error',
      from: { path: '^src/dialects/([^/]+)/' },
      to: { path: '^src/dialects/', pathNot: '^src/dialects/$1/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(dist|spec|bench|faults)/' },
  },
};
