import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { Knex } from 'knex';
import type pg from 'pg';
import { PGlite, types as pgliteTypes, type Extension } from '@electric-sql/pglite';
import ClientPgLite from 'knex-pglite';
import { lockDataDir } from './data-dir-lock';
import { DurableNodeFS } from './durable-fs';
import type { Logger } from 'pino';
import { ReadRouter, routeLagTolerantReads } from './replica';
import { keepStatisticsCurrent } from './statistics';
export { PREPARED } from './prepared';

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
let pgLoaded = false;

/**
 * node-postgres, loaded (and its type parsers set) when a PostgreSQL server is first used: a process
 * on PGlite never needs it, and loading it cost ~160 ms of every CLI command's and server's start.
 * knex requires the same module when it connects, so the parsers are in place by then.
 */
function loadPg(): void {
  if (pgLoaded) return;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const driver = require('pg') as typeof pg;
  driver.types.setTypeParser(DATE_OID, (v: string) => v);
  // count(*) and other int8 results: safe as numbers for any table this server will hold.
  driver.types.setTypeParser(20, (v: string) => Number(v));
  pgLoaded = true;
}

export const pgliteParsers = {
  [pgliteTypes.DATE]: (v: string) => v,
  [pgliteTypes.INT8]: (v: string) => Number(v),
};

/** PGlite's shared_buffers (see openPglite). */
const PGLITE_SHARED_BUFFERS = '32MB';

/** Opens (and creates when new) the embedded PostgreSQL under `dataDir`. */
export async function openPglite(dataDir?: string, loadDataDir?: Blob, opts: { fsync?: boolean } = {}): Promise<PGlite> {
  if (dataDir) fs.mkdirSync(dataDir, { recursive: true });
  const pglite = await PGlite.create({
    // On disk, commits are fsynced before they resolve (durable-fs.ts) unless PGLITE_FSYNC=off.
    ...(dataDir && opts.fsync !== false ? { fs: new DurableNodeFS(dataDir) as never } : { dataDir }),
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

/** How long PGlite statements may run back to back before the event loop gets a turn. */
const PGLITE_TURN_MS = 10;
let lastTurn = 0;

/**
 * knex-pglite, giving the event loop a turn between statements. PGlite runs PostgreSQL in this
 * thread and answers through promises alone, so a request of many statements (a 300-row bulk write)
 * never let the loop reach its poll phase: no connection was accepted and no probe answered until it
 * ended, and Node then accepted one waiting connection per such request (10 bulk writes queued at
 * SIGTERM: 7 of 10 were still in the kernel's accept queue when shutdown closed the listener, and were
 * reset). setImmediate runs after the poll phase, so waiting I/O is let in first. It is done once
 * PGLITE_TURN_MS have passed since the last such turn, not before every statement: a turn per
 * statement cost reads by id ~10 % of their throughput (autocannon, 8 connections, interleaved runs:
 * median 0.89× against no turn; 0.98× with this rule).
 */
class YieldingPglite extends (ClientPgLite as unknown as new (config: Knex.Config) => { _query(connection: unknown, obj: QueryObject): Promise<unknown> }) {
  override async _query(connection: unknown, obj: QueryObject): Promise<unknown> {
    if (performance.now() - lastTurn >= PGLITE_TURN_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      lastTurn = performance.now();
    }
    // PGlite plans every statement anyway (one process, no network): `prepare` means nothing to it.
    if (obj.options?.prepare) obj.options = withoutPrepare(obj.options);
    return super._query(connection, obj);
  }
}

/** What knex hands its client's `_query`: the SQL, its bindings and the query's `.options()`. */
interface QueryObject {
  sql: string;
  bindings?: unknown[];
  options?: Record<string, unknown> & { prepare?: boolean; name?: string };
}


function withoutPrepare(options: Record<string, unknown>): Record<string, unknown> {
  const { prepare: _prepare, ...rest } = options;
  return rest;
}

/**
 * The statement's name: a hash of its text, so one name never stands for two texts on a connection,
 * and a generation, moved on when a migration made the prepared form stale (PLAN_RESULT_CHANGED).
 */
const statements = new Map<string, { hash: string; generation: number }>();
function statementName(sql: string): string {
  let s = statements.get(sql);
  if (s === undefined) {
    s = { hash: createHash('sha256').update(sql).digest('hex').slice(0, 24), generation: 0 };
    statements.set(sql, s);
  }
  return `v2crm_${s.hash}_${s.generation}`;
}
function retireStatement(sql: string): void {
  const s = statements.get(sql);
  if (s) s.generation += 1;
}

// knex's PostgreSQL client (CommonJS, untyped): extended below like knex-pglite is above.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const KnexPgClient = require('knex/lib/dialects/postgres') as new (config: Knex.Config) => { _query(connection: unknown, obj: QueryObject): Promise<unknown> };

/** SQLSTATE 0A000 "cached plan must not change result type": a migration changed a table under a prepared `SELECT *`. */
const PLAN_RESULT_CHANGED = '0A000';

/**
 * knex's pg client, running `.options(PREPARED)` queries as named prepared statements when `prepare`
 * is on. PgBouncer before 1.21 in transaction mode does not track named statements (the next
 * transaction may land on a server connection that never saw it), so it is off by default when
 * DATABASE_DIRECT_URL says a pooler sits in between, and DATABASE_PREPARED_STATEMENTS decides.
 */
function preparingPgClient(prepare: boolean) {
  return class PreparingPg extends KnexPgClient {
    override async _query(connection: unknown, obj: QueryObject): Promise<unknown> {
      if (!obj.options?.prepare) return super._query(connection, obj);
      const rest = withoutPrepare(obj.options);
      if (!prepare) {
        obj.options = rest;
        return super._query(connection, obj);
      }
      const name = statementName(obj.sql);
      obj.options = { ...rest, name };
      try {
        return await super._query(connection, obj);
      } catch (err) {
        if ((err as { code?: string }).code !== PLAN_RESULT_CHANGED) throw err;
        // A migration changed a table under the prepared statement. Its name is retired in this
        // process: every connection prepares the new text under the next name on its next run (the
        // stale one is dropped with the connection). Outside a transaction the query is simply run
        // again; inside one the transaction is already aborted, so the error goes to the caller.
        retireStatement(obj.sql);
        if ((connection as { __knexTxId?: string }).__knexTxId !== undefined) throw err;
        obj.options = { ...rest, name: statementName(obj.sql) };
        return super._query(connection, obj);
      }
    }
  };
}

export function knexForPglite(pglite: PGlite): Knex {
  const knex = knexFactory({ client: YieldingPglite as unknown as typeof knexFactory.Client, dialect: 'postgres', connection: { pglite } as never });
  // No autovacuum in PGlite: statistics are refreshed when enough rows changed (statistics.ts).
  keepStatisticsCurrent(knex);
  return knex;
}

export interface DbTimeouts {
  /** statement_timeout: the server cancels a statement running longer (57014 → 503). */
  statementMs: number;
  /** Waiting for a pool connection, and for a new connection to be made, longer is a 503. */
  acquireMs: number;
}

export function knexForPostgres(url: string, poolMax = 10, timeouts?: DbTimeouts, preparedStatements = true): Knex {
  loadPg();
  return knexFactory({
    client: preparingPgClient(preparedStatements) as unknown as typeof knexFactory.Client,
    // A frozen server answers nothing, not even the cancel of statement_timeout: query_timeout is the
    // client side's own bound (a little later, so the server's cancel normally wins).
    connection: timeouts
      ? { connectionString: url, statement_timeout: timeouts.statementMs, query_timeout: timeouts.statementMs + 2000, connectionTimeoutMillis: timeouts.acquireMs }
      : url,
    pool: {
      min: 0,
      max: poolMax,
      // Every timestamp the API reads or writes is UTC, whatever the server's default time zone.
      afterCreate: (conn: pg.Client, done: (err: Error | null, conn: pg.Client) => void) => {
        conn.query("SET TIME ZONE 'UTC'", (err) => done(err ?? null, conn));
      },
    },
    acquireConnectionTimeout: timeouts?.acquireMs ?? 10000,
  });
}

export interface DbOptions {
  databaseUrl?: string;
  dataDir: string;
  /** PGlite only: fsync each commit before it is acknowledged (PGLITE_FSYNC, default on). */
  pgliteFsync?: boolean;
  dbTimeouts?: DbTimeouts;
  scale?: { poolMax: number; databaseReplicaUrl?: string; preparedStatements?: boolean };
}

/** A PostgreSQL server when `databaseUrl` is set, else PGlite persisted under `dataDir/pglite`. */
export async function openDb(opts: DbOptions, log?: Logger): Promise<Db> {
  if (opts.databaseUrl) {
    const prepared = opts.scale?.preparedStatements ?? true;
    const knex = knexForPostgres(opts.databaseUrl, opts.scale?.poolMax, opts.dbTimeouts, prepared);
    const replicaUrl = opts.scale?.databaseReplicaUrl;
    if (replicaUrl) {
      const replica = knexForPostgres(replicaUrl, opts.scale?.poolMax, opts.dbTimeouts, prepared);
      routeLagTolerantReads(knex, new ReadRouter(knex, replica, log));
      return { knex, kind: 'postgres', close: async () => void (await Promise.all([knex.destroy(), replica.destroy()])) };
    }
    return { knex, kind: 'postgres', close: () => knex.destroy() };
  }
  // Before PGlite opens the files: a second process on them would lose or corrupt writes silently.
  await lockDataDir(opts.dataDir);
  const pglite = await openPglite(path.join(opts.dataDir, 'pglite'), undefined, { fsync: opts.pgliteFsync });
  const knex = knexForPglite(pglite);
  return { knex, kind: 'pglite', close: () => knex.destroy() };
}
