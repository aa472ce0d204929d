import pg from 'pg';

/** The PostgreSQL server of DATABASE_URL (default 127.0.0.1:5432), without a database name. */
export const serverUrl = (process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres').replace(/\/[^/]*$/, '');

/** One statement on the server's `postgres` database (CREATE/DROP DATABASE of the benches). */
export async function admin(sql, params) {
  const c = new pg.Client({ connectionString: `${serverUrl}/postgres` });
  await c.connect();
  try {
    return await c.query(sql, params);
  } finally {
    await c.end();
  }
}

/**
 * Every database a bench creates carries this comment: a bench drops a database only when it carries
 * it (so a name typed by mistake never drops someone's data), never WITH (FORCE).
 */
export const BENCH_MARK = 'created by v2crm bench (bench/lib/pg-admin.mjs); safe for the bench to drop';
const ident = (name) => {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`database name "${name}": use lower-case letters, digits and _`);
  return `"${name}"`;
};

export async function databaseState(name) {
  const { rows } = await admin(
    `SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = $1`, [name],
  );
  if (rows.length === 0) return 'absent';
  return rows[0].comment === BENCH_MARK ? 'bench' : 'foreign';
}

/** Creates `name`, marked as the bench's. A database of that name the bench did not create is an error. */
export async function createBenchDatabase(name, { replace = false } = {}) {
  const state = await databaseState(name);
  if (state === 'foreign') throw new Error(`database "${name}" exists and was not created by the bench: pass another --db`);
  if (state === 'bench') {
    if (!replace) throw new Error(`database "${name}" exists (an earlier bench's): pass --skip-load to reuse it, or --replace`);
    await dropBenchDatabase(name);
  }
  await admin(`CREATE DATABASE ${ident(name)}`);
  await admin(`COMMENT ON DATABASE ${ident(name)} IS '${BENCH_MARK}'`);
}

/** Drops `name` only if the bench created it; no FORCE: a session still connected makes this fail, loudly. */
export async function dropBenchDatabase(name) {
  const state = await databaseState(name);
  if (state === 'absent') return false;
  if (state !== 'bench') throw new Error(`not dropping "${name}": the bench did not create it`);
  await admin(`DROP DATABASE ${ident(name)}`);
  return true;
}
