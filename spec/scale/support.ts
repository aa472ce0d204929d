import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { knexForPostgres } from '../../src/db';
import { adminUrl, withDatabase } from '../support/pg-url';

/**
 * The PostgreSQL server these multi-process specs share a database on: several server processes
 * cannot share a PGlite, so they always run on a real server (the machine's, by default).
 */
export const SERVER_URL = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
export const ADMIN = { email: 'admin@example.com', password: 'scale-admin-pass-1' };

/** A new empty database and a scratch directory, both removed by `cleanup`. */
export async function scratchDatabase(prefix = 'v2crm_scale'): Promise<{ url: string; dir: string; cleanup: () => Promise<void> }> {
  const name = `${prefix}_${crypto.randomBytes(4).toString('hex')}`;
  const admin = knexForPostgres(adminUrl(SERVER_URL), 1);
  await admin.raw(`CREATE DATABASE ${name}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'v2crm-scale-'));
  return {
    url: withDatabase(SERVER_URL, name),
    dir,
    cleanup: async () => {
      await admin.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Reply {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** One request to a started server, JSON in and out. */
export async function call(
  base: string,
  method: string,
  url: string,
  opts: { body?: unknown; headers?: Record<string, string>; login?: { email: string; password: string } } = {},
): Promise<Reply> {
  const login = opts.login ?? ADMIN;
  const res = await fetch(`${base}${url}`, {
    method,
    headers: {
      Authorization: `Basic ${Buffer.from(`${login.email}:${login.password}`).toString('base64')}`,
      ...(opts.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      ...opts.headers,
    },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON: keep the text */
  }
  return { status: res.status, headers: res.headers, body };
}

/** Polls `check` every 50 ms until it is true or `maxMs` passed; returns whether it became true. */
export async function eventually(check: () => Promise<boolean>, maxMs: number): Promise<boolean> {
  const until = Date.now() + maxMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
}
