import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import express, { Express } from 'express';
import { Knex } from 'knex';
import pino from 'pino';
import supertest from 'supertest';
import { PGlite, PGliteOptions } from '@electric-sql/pglite';
import { createApp } from '../../src/app';
import { knexForPglite, knexForPostgres, openPglite } from '../../src/db';
import { createOrg } from '../../src/orgs/service';
import { createUser, Role } from '../../src/domain/users/service';
import { ADMIN_EMAIL, ADMIN_PASSWORD, TEMPLATE_DB_ENV, TEMPLATE_FILE_ENV } from './constants';
import { adminUrl, withDatabase } from './pg-url';
import { conformanceRecorder, violations } from './conformance';
import { inRequest, recordOrgScope, unscoped } from './org-scope';

export interface Login {
  email: string;
  password: string;
}

export interface TestApp {
  app: Express;
  knex: Knex;
  admin: Login;
  /** Where this app's attachment files go (a temp directory, removed on close). */
  attachmentsDir: string;
  /** A request with the admin's (or the given) Basic credentials. */
  as(login?: Login): {
    get(url: string): supertest.Test;
    post(url: string): supertest.Test;
    put(url: string): supertest.Test;
    delete(url: string): supertest.Test;
  };
  /** supertest without credentials. */
  anon: supertest.Agent;
  addUser(opts?: { role?: Role; orgId?: number }): Promise<Login & { id: number }>;
  /** A second organisation (tenant) with its own company and admin. */
  addOrg(): Promise<{ orgId: number; companyId: number; admin: Login & { id: number } }>;
  close(): Promise<void>;
}

let seq = 0;

/**
 * PGlite's compiled WASM and file system bundle, made once per jest worker (environment.js), for
 * every PGlite this spec file opens (src/db's openPglite calls PGlite.create): it would otherwise read
 * and compile them again in each file's module registry.
 */
const worker = globalThis as {
  v2crmPgliteArtifacts?: () => Promise<Pick<PGliteOptions, 'pgliteWasmModule' | 'initdbWasmModule' | 'fsBundle'>>;
  /** A file's bytes in the shape of a Blob PGlite reads, read once per worker (environment.js). */
  v2crmFileBytes?: (file: string, type?: string) => Blob;
};
const artifacts = worker.v2crmPgliteArtifacts;
if (artifacts) {
  const create = PGlite.create.bind(PGlite) as (options?: PGliteOptions) => Promise<PGlite>;
  PGlite.create = (async (options?: PGliteOptions) => create({ ...(await artifacts()), ...options })) as typeof PGlite.create;
}

/** A fresh database cloned from the run's template, and the real HTTP stack on it. */
export async function makeTestApp(
  opts: { maxLimit?: number; bodyLimit?: number; bulkMax?: number; idempotencyTtlMs?: number; attachmentMaxBytes?: number; smtpConfigured?: boolean; metricsToken?: string; webhookAllowPrivateTargets?: boolean } = {},
): Promise<TestApp> {
  const attachmentsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'v2crm-files-'));
  const url = process.env.TEST_DATABASE_URL;
  let knex: Knex;
  let drop: () => Promise<void> = async () => undefined;
  if (url) {
    const template = process.env[TEMPLATE_DB_ENV]!;
    const name = `v2crm_t_${process.pid}_${++seq}_${crypto.randomBytes(3).toString('hex')}`;
    const admin = knexForPostgres(adminUrl(url), 1);
    await admin.raw(`CREATE DATABASE ${name} TEMPLATE ${template}`);
    knex = knexForPostgres(withDatabase(url, name), 10);
    drop = async () => {
      await admin.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.destroy();
    };
  } else {
    const file = process.env[TEMPLATE_FILE_ENV];
    if (!file) throw new Error('the jest globalSetup did not run (spec/support/global-setup.ts)');
    const tar = worker.v2crmFileBytes?.(file, 'application/x-tar') ?? new Blob([fs.readFileSync(file)]);
    const pglite = await openPglite(undefined, tar);
    knex = knexForPglite(pglite);
    // knex closes PGlite only through a pooled connection: an app that never queried (a spec whose
    // requests all fail before the database) would leave it open and the jest worker hanging.
    drop = async () => {
      if (!pglite.closed) await pglite.close();
    };
  }
  recordOrgScope(knex);
  const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  // Every response of every spec is checked against openapi.yaml (see conformance.ts).
  const app = express();
  // /metrics is the operator's view of the whole process (outbox depth of every organisation), like
  // the mail worker's scan: it spans organisations by design, so it is outside the org_id check.
  app.use((req, _res, next) => (req.path === '/metrics' ? next() : inRequest.run(true, next)));
  app.use(conformanceRecorder);
  app.use(
    createApp({
      knex,
      config: {
        bodyLimit: opts.bodyLimit ?? 1024 * 1024,
        maxLimit: opts.maxLimit ?? 10000,
        bulkMax: opts.bulkMax ?? 1000,
        idempotencyTtlMs: opts.idempotencyTtlMs ?? 24 * 3600 * 1000,
        attachmentsDir,
        attachmentMaxBytes: opts.attachmentMaxBytes ?? 25 * 1024 * 1024,
        mail: { smtpConfigured: opts.smtpConfigured ?? false, defaultFrom: 'crm@example.com' },
        metricsToken: opts.metricsToken,
        webhooks: { allowPrivateTargets: opts.webhookAllowPrivateTargets ?? false },
      },
      log,
    }),
  );
  const admin = { email: ADMIN_EMAIL, password: ADMIN_PASSWORD };
  const anon = supertest(app) as unknown as supertest.Agent;
  let userSeq = 0;
  const addUser = async (o: { role?: Role; orgId?: number } = {}) => {
    const email = `user${++userSeq}-${crypto.randomBytes(3).toString('hex')}@example.com`;
    const password = `pw-${crypto.randomBytes(6).toString('hex')}`;
    const u = await createUser(knex, { orgId: o.orgId ?? 1, email, password, role: o.role ?? 'user' });
    return { email, password, id: u.id };
  };
  return {
    app,
    knex,
    admin,
    anon,
    as(login: Login = admin) {
      const st = supertest(app);
      return {
        get: (u: string) => st.get(u).auth(login.email, login.password),
        post: (u: string) => st.post(u).auth(login.email, login.password),
        put: (u: string) => st.put(u).auth(login.email, login.password),
        delete: (u: string) => st.delete(u).auth(login.email, login.password),
      };
    },
    addUser,
    async addOrg() {
      const n = ++seq;
      const { orgId, companyId } = await createOrg(knex, {
        name: `Other org ${n}`,
        companyCode: `OTH${n}`,
        companyName: `Other ${n} Ltd`,
        baseCurrency: 'EUR',
      });
      return { orgId, companyId, admin: await addUser({ role: 'admin', orgId }) };
    },
    attachmentsDir,
    async close() {
      fs.rmSync(attachmentsDir, { recursive: true, force: true });
      await knex.destroy();
      await drop();
      if (unscoped.size) {
        throw new Error(`statements on tenant tables without their org_id (docs/scaling.md):\n${[...unscoped].join('\n')}`);
      }
      if (violations.length) {
        throw new Error(`responses that do not match openapi.yaml:\n${[...new Set(violations)].join('\n')}`);
      }
    },
  };
}
