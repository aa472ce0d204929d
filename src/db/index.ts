import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { Knex } from 'knex';
import pg from 'pg';
import { PGlite, types as pgliteTypes, type Extension } from '@electric-sql/pglite';
import ClientPgLite from 'knex-pglite';

// The package ships CommonJS for this subpath but declares types for ESM only.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { pg_trgm } = require('@electric-sql/pglite/contrib/pg_trgm') as { pg_trgm: Extension };

export type DbKind = 'postgres' | 'pglite';

export interface Db {
  knex: Knex;
  kind: DbKind;
  close(): Promise<void>;
}

// DATE columns stay 'YYYY-MM-DD' strings: turning them into JS Dates at local midnight shifts the day.
const DATE_OID = 1082;
pg.types.setTypeParser(DATE_OID, (v: string) => v);
// count(*) and other int8 results: safe as numbers for any table this server will hold.
pg.types.setTypeParser(20, (v: string) => Number(v));

export const pgliteParsers = {
  [pgliteTypes.DATE]: (v: string) => v,
  [pgliteTypes.INT8]: (v: string) => Number(v),
};

/** PGlite's shared_buffers (see openPglite). */
const PGLITE_SHARED_BUFFERS = '32MB';

/** Opens (and creates when new) the embedded PostgreSQL under `dataDir`. */
export async function openPglite(dataDir?: string, loadDataDir?: Blob): Promise<PGlite> {
  if (dataDir) fs.mkdirSync(dataDir, { recursive: true });
  const pglite = await PGlite.create({
    dataDir,
    loadDataDir,
    extensions: { pg_trgm },
    parsers: pgliteParsers,
    // PGlite's PostgreSQL keeps its shared buffers in the process's own (WASM) memory: the default
    // 128 MB is resident from the first query. 32 MB opens a data directory at 182 MB RSS instead
    // of 296 MB; pages beyond it are read from the OS page cache.
    startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${PGLITE_SHARED_BUFFERS}`],
  });
  await pglite.exec("SET TIME ZONE 'UTC'");
  return pglite;
}

export function knexForPglite(pglite: PGlite): Knex {
  return knexFactory({ client: ClientPgLite as unknown as typeof knexFactory.Client, dialect: 'postgres', connection: { pglite } as never });
}

export function knexForPostgres(url: string, poolMax = 10): Knex {
  return knexFactory({
    client: 'pg',
    connection: url,
    pool: {
      min: 0,
      max: poolMax,
      // Every timestamp the API reads or writes is UTC, whatever the server's default time zone.
      afterCreate: (conn: pg.Client, done: (err: Error | null, conn: pg.Client) => void) => {
        conn.query("SET TIME ZONE 'UTC'", (err) => done(err ?? null, conn));
      },
    },
    acquireConnectionTimeout: 10000,
  });
}

export interface DbOptions {
  databaseUrl?: string;
  dataDir: string;
}

/** A PostgreSQL server when `databaseUrl` is set, else PGlite persisted under `dataDir/pglite`. */
export async function openDb(opts: DbOptions): Promise<Db> {
  if (opts.databaseUrl) {
    const knex = knexForPostgres(opts.databaseUrl);
    return { knex, kind: 'postgres', close: () => knex.destroy() };
  }
  const pglite = await openPglite(path.join(opts.dataDir, 'pglite'));
  const knex = knexForPglite(pglite);
  return { knex, kind: 'pglite', close: () => knex.destroy() };
}
