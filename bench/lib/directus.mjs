/**
 * Directus 12.4.0 as a peer (installed by `make bench-peers` into bench/peers/directus, with the
 * Node 22 it needs from the npm registry's `node` package). On the same PostgreSQL server it gets a
 * database of its own (`<db>_directus`, created and marked by the bench), is bootstrapped with a
 * generated KEY/SECRET and an admin whose static token authorises every request (no login round
 * trip, no JWT verification cost beyond a token lookup), and gets an `accounts` table with the very
 * columns and rows of v2crm's, plus the same index for the name prefix list, so both answer the
 * same question from the same data.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createBenchDatabase, databaseState, dropBenchDatabase } from './pg-admin.mjs';

const HERE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../peers/directus');
const NODE22 = path.join(HERE, 'node_modules/node/bin/node');
const CLI = path.join(HERE, 'node_modules/directus/cli.js');
const BATCH = 5000;

export function directusInstalled() {
  return fs.existsSync(NODE22) && fs.existsSync(CLI);
}

function runCli(args, env, log) {
  return new Promise((resolve, reject) => {
    const child = spawn(NODE22, [CLI, ...args], { cwd: HERE, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`directus ${args.join(' ')} exited with ${code}:\n${out.slice(-3000)}`))));
    log?.(`directus ${args.join(' ')}`);
  });
}

/** v2crm's accounts columns as a CREATE TABLE for the peer (same names and types, no foreign keys). */
async function accountsDdl(src) {
  const { rows } = await src.query(
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null
       FROM pg_attribute a WHERE a.attrelid = 'accounts'::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
  );
  const cols = rows.map((c) => (c.name === 'id' ? '"id" serial PRIMARY KEY' : `"${c.name}" ${c.type}${c.not_null ? ' NOT NULL' : ''}`));
  return { ddl: `CREATE TABLE accounts (${cols.join(', ')})`, columns: rows.map((c) => c.name) };
}

async function copyAccounts(srcUrl, dstUrl, log) {
  const src = new pg.Client({ connectionString: srcUrl });
  const dst = new pg.Client({ connectionString: dstUrl });
  await src.connect();
  await dst.connect();
  try {
    const { ddl } = await accountsDdl(src);
    await dst.query(ddl);
    const total = Number((await src.query('SELECT count(*) AS n FROM accounts')).rows[0].n);
    let last = 0;
    let done = 0;
    const t0 = Date.now();
    for (;;) {
      // Rows travel as one JSON text per batch and are expanded by PostgreSQL on the other side.
      const { rows } = await src.query(
        `SELECT coalesce(json_agg(a ORDER BY a.id), '[]')::text AS j, max(a.id) AS hi, count(*)::int AS n
           FROM (SELECT * FROM accounts WHERE id > $1 ORDER BY id LIMIT $2) a`, [last, BATCH],
      );
      if (!rows[0].n) break;
      await dst.query('INSERT INTO accounts SELECT * FROM json_populate_recordset(NULL::accounts, $1::json)', [rows[0].j]);
      last = rows[0].hi;
      done += rows[0].n;
      if ((done / BATCH) % 20 === 0 || done === total) log(`directus accounts: ${done}/${total} (${Math.round(done / ((Date.now() - t0) / 1000))} rows/s)`);
    }
    await dst.query(`SELECT setval(pg_get_serial_sequence('accounts', 'id'), (SELECT max(id) FROM accounts))`);
    // The same help v2crm's list gets from migration 016 (Directus filters with LOWER("name") LIKE 'x%').
    await dst.query('CREATE INDEX accounts_id_name_prefix ON accounts (id, lower(name) text_pattern_ops)');
    await dst.query('VACUUM ANALYZE accounts');
  } finally {
    await src.end();
    await dst.end();
  }
}

/**
 * Creates (or, with skipLoad, reuses) the peer's database and data, starts Directus and returns
 * { url, headers, stop, drop }.
 */
export async function startDirectus({ db, dbUrl, serverUrl, port, skipLoad, replace, log }) {
  if (!directusInstalled()) throw new Error('Directus is not installed: run `make bench-peers` first (bench/peers/directus)');
  const name = `${db}_directus`;
  const url = new URL(`${serverUrl}/${name}`);
  const secretsFile = path.join(HERE, `.secrets-${name}.json`);
  // Reused only when an earlier run finished loading it (the secrets file says so).
  const saved = fs.existsSync(secretsFile) ? JSON.parse(fs.readFileSync(secretsFile, 'utf8')) : undefined;
  const reuse = skipLoad && saved?.loaded === true && (await databaseState(name)) === 'bench';
  const secrets = reuse
    ? saved
    : { KEY: crypto.randomUUID(), SECRET: crypto.randomBytes(32).toString('base64url'), ADMIN_PASSWORD: crypto.randomBytes(18).toString('base64url'), ADMIN_TOKEN: crypto.randomBytes(24).toString('base64url') };
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DB_CLIENT: 'pg',
    DB_HOST: url.hostname,
    DB_PORT: url.port || '5432',
    DB_DATABASE: name,
    DB_USER: decodeURIComponent(url.username || 'postgres'),
    ...(url.password ? { DB_PASSWORD: decodeURIComponent(url.password) } : {}),
    // The same pool size as v2crm's (10).
    DB_POOL__MIN: '0',
    DB_POOL__MAX: '10',
    KEY: secrets.KEY,
    SECRET: secrets.SECRET,
    ADMIN_EMAIL: 'admin@example.com',
    ADMIN_PASSWORD: secrets.ADMIN_PASSWORD,
    ADMIN_TOKEN: secrets.ADMIN_TOKEN,
    LOG_LEVEL: 'warn',
    // As with v2crm: no response cache, no rate limiter, no telemetry or update checks.
    CACHE_ENABLED: 'false',
    RATE_LIMITER_ENABLED: 'false',
    TELEMETRY: 'false',
    QUERY_LIMIT_MAX: '100000',
    WEBSOCKETS_ENABLED: 'false',
    EXTENSIONS_PATH: path.join(HERE, 'extensions'),
    STORAGE_LOCAL_ROOT: path.join(HERE, 'uploads'),
    NODE_ENV: 'production',
  };
  if (!reuse) {
    log(`directus: creating ${name} and bootstrapping (KEY/SECRET/admin token generated, kept in ${path.relative(process.cwd(), secretsFile)})`);
    await createBenchDatabase(name, { replace: true });
    fs.writeFileSync(secretsFile, JSON.stringify(secrets), { mode: 0o600 });
    await runCli(['bootstrap'], env, log);
    await copyAccounts(dbUrl, url.href, log);
    fs.writeFileSync(secretsFile, JSON.stringify({ ...secrets, loaded: true }), { mode: 0o600 });
  }
  const child = spawn(NODE22, [CLI, 'start'], { cwd: HERE, env, stdio: ['ignore', 'ignore', 'inherit'] });
  const base = `http://127.0.0.1:${port}`;
  const headers = { authorization: `Bearer ${secrets.ADMIN_TOKEN}` };
  for (let i = 0; ; i++) {
    try {
      const res = await fetch(`${base}/items/accounts?limit=1`, { headers });
      if (res.status === 200) break;
      if (i > 20 && res.status < 500) throw new Error(`directus /items/accounts: HTTP ${res.status} ${await res.text()}`);
    } catch (e) {
      if (!/fetch failed|ECONNREFUSED/.test(String(e.cause ?? e.message))) throw e;
    }
    if (child.exitCode !== null) throw new Error(`directus exited with ${child.exitCode}`);
    if (i > 600) throw new Error('directus did not start');
    await new Promise((r) => setTimeout(r, 250));
  }
  log(`directus listening on ${base}`);
  return {
    url: base,
    headers,
    stop: () => new Promise((r) => (child.exitCode !== null ? r() : (child.once('exit', r), child.kill('SIGTERM')))),
    drop: async () => {
      await dropBenchDatabase(name);
      fs.rmSync(secretsFile, { force: true });
    },
  };
}

/** The three requests compared, each as Directus's and v2crm's form of the same question. */
export function directusScenarios({ data, r, prefixes }) {
  const id = () => r.int(data.firstId, data.firstId + data.accounts - 1);
  // Pages start anywhere a full page follows.
  const from = () => r.int(data.firstId - 1, data.firstId + data.accounts - 1001);
  const get = (p) => ({ method: 'GET', path: p });
  let pick;
  return [
    {
      name: 'GET by id', rows: 1, target: 3,
      directus: () => get(`/items/accounts/${id()}`),
      v2crm: () => get(`/api/v2/crm/accounts/${id()}`),
    },
    {
      name: 'filtered list of 100 (name starts with, id order)', rows: 100, target: 3,
      directus: () => ((pick = r.pick(prefixes)), get(`/items/accounts?filter[name][_istarts_with]=${pick}&sort=id&limit=100`)),
      v2crm: () => get(`/api/v2/crm/accounts?name__sw=${r.pick(prefixes)}&_limit=100`),
    },
    {
      name: '1000-row keyset page', rows: 1000, target: 2,
      directus: () => get(`/items/accounts?filter[id][_gt]=${from()}&sort=id&limit=1000`),
      v2crm: () => get(`/api/v2/crm/accounts?id__gt=${from()}&_order=id&_limit=1000`),
    },
  ];
}
