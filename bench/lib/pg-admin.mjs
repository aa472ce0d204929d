import pg from 'pg';

/** The PostgreSQL server of DATABASE_URL (default 127.0.0.1:5432), without a database name. */
export const serverUrl = (process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres').replace(/\/[^/]*$/, '');

/** One statement on the server's `postgres` database (CREATE/DROP DATABASE of the benches). */
export async function admin(sql) {
  const c = new pg.Client({ connectionString: `${serverUrl}/postgres` });
  await c.connect();
  try {
    return await c.query(sql);
  } finally {
    await c.end();
  }
}
