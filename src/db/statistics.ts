import { Knex } from 'knex';

/**
 * Planner statistics kept current where nothing else does it. PostgreSQL's autovacuum runs ANALYZE
 * when enough rows changed; embedded PGlite runs no autovacuum, so a table never analysed keeps
 * `pg_class.reltuples = -1` and the planner guesses (a 10 ms list took 300 ms after an import).
 *
 * - `analyzeAll` after migrations (src/db/migrate.ts) and after an import (the import run's end);
 * - `keepStatisticsCurrent` on a PGlite knex: after every `writesPerCheck` write statements (and at
 *   most every `intervalMs` from a timer, for a few big statements), one cheap catalogue query finds
 *   the tables that changed enough, and only those are analysed — autovacuum's own rule
 *   (50 rows + 10 % of the table), judged from the table's size in pages against the size the last
 *   ANALYZE saw (PGlite never vacuums, so updates and deletes grow the table too) and from the
 *   cumulative statistics' `n_mod_since_analyze` when PGlite has flushed them.
 */

export interface StatisticsOptions {
  /** Write statements (insert/update/delete) between two checks. */
  writesPerCheck: number;
  /** A check at least this often while writes happen (0: no timer). */
  intervalMs: number;
  /** ANALYZE when changed rows ≥ threshold + scaleFactor × rows (autovacuum's defaults: 50, 0.1). */
  threshold: number;
  scaleFactor: number;
}

export const DEFAULT_STATISTICS: StatisticsOptions = { writesPerCheck: 1000, intervalMs: 60_000, threshold: 50, scaleFactor: 0.1 };

/** ANALYZE every table of the current schema (cheap on small tables; samples 30,000 rows of big ones). */
export async function analyzeAll(knex: Knex): Promise<void> {
  await knex.raw('ANALYZE');
}

/** ANALYZE the given tables (an import refreshes what it wrote). */
export async function analyzeTables(knex: Knex, tables: readonly string[]): Promise<void> {
  for (const t of tables) await knex.raw('ANALYZE ??', [t]);
}

interface TableState {
  table: string;
  reltuples: number;
  relpages: number;
  pages: number;
  modified: number | null;
}

/** Tables whose statistics are missing or behind, by autovacuum's rule. */
export async function staleTables(knex: Knex, opts: Pick<StatisticsOptions, 'threshold' | 'scaleFactor'> = DEFAULT_STATISTICS): Promise<string[]> {
  const { rows } = (await knex.raw(
    `SELECT c.relname AS "table", c.reltuples::float8 AS reltuples, c.relpages::int AS relpages,
            (pg_relation_size(c.oid) / current_setting('block_size')::int)::int AS pages,
            s.n_mod_since_analyze::float8 AS modified
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
      WHERE c.relkind = 'r' AND n.nspname = current_schema()`,
  )) as { rows: TableState[] };
  const out: string[] = [];
  for (const r of rows) {
    if (r.pages === 0) continue; // empty: nothing to learn
    if (r.reltuples < 0 || r.relpages === 0) {
      out.push(r.table);
      continue;
    }
    const rowsPerPage = r.reltuples / r.relpages;
    const changedByPages = Math.abs(r.pages - r.relpages) * rowsPerPage;
    const changed = Math.max(changedByPages, r.modified ?? 0);
    if (changed >= opts.threshold + opts.scaleFactor * r.reltuples) out.push(r.table);
  }
  return out;
}

export interface StatisticsKeeper {
  /** Runs a check now (also what the write counter and the timer call); resolves to the tables analysed. */
  check(): Promise<string[]>;
  configure(opts: Partial<StatisticsOptions>): void;
  stop(): void;
  /** Tables analysed by this keeper so far, in order (for logs and specs). */
  readonly analysed: string[];
}

const keepers = new WeakMap<Knex, StatisticsKeeper>();

/** The keeper installed on `knex`, if any. */
export function statisticsKeeper(knex: Knex): StatisticsKeeper | undefined {
  return keepers.get(knex);
}

const WRITE = /^\s*(?:with\b[\s\S]*?\)\s*)?(insert|update|delete)\b/i;

/**
 * Counts write statements on `knex` and refreshes statistics of the tables that changed enough.
 * The check runs outside the statement that triggered it, one at a time; its errors are dropped (a
 * closed database, a table dropped meanwhile): statistics are an optimisation, never a failure.
 */
export function keepStatisticsCurrent(knex: Knex, options: Partial<StatisticsOptions> = {}): StatisticsKeeper {
  const existing = keepers.get(knex);
  if (existing) {
    existing.configure(options);
    return existing;
  }
  let opts = { ...DEFAULT_STATISTICS, ...options };
  let writes = 0;
  let running: Promise<string[]> | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const analysed: string[] = [];

  const run = async (): Promise<string[]> => {
    const stale = await staleTables(knex, opts);
    for (const t of stale) {
      if (stopped) break;
      await knex.raw('ANALYZE ??', [t]);
      analysed.push(t);
    }
    return stale;
  };
  // A check asked for while one runs is not dropped: that run may have read the catalogue before the
  // writes that asked (its counter is already reset), so the run goes round once more.
  let again = false;
  const runUntilQuiet = async (): Promise<string[]> => {
    const out: string[] = [];
    do {
      again = false;
      out.push(...(await run().catch(() => [] as string[])));
    } while (again && !stopped);
    return out;
  };
  const check = (): Promise<string[]> => {
    if (stopped) return Promise.resolve([]);
    writes = 0;
    if (running) {
      again = true;
      return running;
    }
    running = runUntilQuiet().finally(() => {
      running = undefined;
    });
    return running;
  };
  const armTimer = () => {
    if (timer || !opts.intervalMs || stopped) return;
    timer = setTimeout(() => {
      timer = undefined;
      if (writes > 0) void check();
    }, opts.intervalMs);
    timer.unref();
  };
  knex.on('query-response', (_res: unknown, q: { sql?: string }) => {
    if (stopped || !q.sql || !WRITE.test(q.sql)) return;
    writes++;
    if (writes >= opts.writesPerCheck) setImmediate(() => void check());
    else armTimer();
  });
  const keeper: StatisticsKeeper = {
    check,
    configure: (o) => {
      opts = { ...opts, ...o };
      // A timer armed under the old interval would otherwise outlive the new one.
      if (timer) {
        clearTimeout(timer);
        timer = undefined;
        if (writes > 0) armTimer();
      }
    },
    stop: () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
    analysed,
  };
  keepers.set(knex, keeper);
  return keeper;
}
