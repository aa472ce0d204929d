import { EventEmitter } from 'node:events';
import type pg from 'pg';
import type { Logger } from 'pino';

/** The channel the 012_cache_notify triggers send on; payloads are "users:<id>" or "companies:<org_id>". */
export const INVALIDATE_CHANNEL = 'v2crm_invalidate';

/**
 * What one process's caches must forget because another process (or the CLI, or plain SQL) changed
 * the database: `users` (a user's credentials, role or state changed), `companies` (an organisation's
 * companies or their currencies changed) and `reset` (notifications may have been missed: forget all).
 */
export class Invalidations extends EventEmitter {
  onUsers(fn: (userId: number) => void): void {
    this.on('users', fn);
    this.on('reset', () => fn(0));
  }
  onCompanies(fn: (orgId: number | undefined) => void): void {
    this.on('companies', fn);
    this.on('reset', () => fn(undefined));
  }
  dispatch(payload: string): void {
    const m = /^(users|companies):(\d+)$/.exec(payload);
    if (m) this.emit(m[1], Number(m[2]));
    else this.emit('reset');
  }
}

/**
 * LISTENs on a dedicated connection. LISTEN is session state, so `url` must be a direct connection
 * to PostgreSQL, never a PgBouncer pool in transaction mode (DATABASE_DIRECT_URL). While the
 * connection is down the caches fall back to their TTLs; on every (re)connect they are reset, since
 * notifications sent meanwhile are lost.
 */
export function listenForInvalidations(url: string, log: Logger, bus = new Invalidations()) {
  let client: pg.Client | undefined;
  let stopped = false;
  let retryMs = 250;
  let timer: NodeJS.Timeout | undefined;

  const connect = async () => {
    // Loaded here, not at the top: this module is part of every server's start, PGlite's too (index.ts).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Client } = require('pg') as typeof pg;
    const c = new Client({ connectionString: url, application_name: 'v2crm-listen' });
    c.on('notification', (n) => {
      if (n.channel === INVALIDATE_CHANNEL) bus.dispatch(n.payload ?? '');
    });
    c.on('error', (err) => {
      log.warn({ err: err.message }, 'cache invalidation listener lost its connection; reconnecting');
      retry(c);
    });
    c.on('end', () => retry(c));
    try {
      await c.connect();
      await c.query(`LISTEN ${INVALIDATE_CHANNEL}`);
      if (stopped) {
        await c.end();
        return;
      }
      client = c;
      retryMs = 250;
      bus.emit('reset');
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'cache invalidation listener cannot connect; retrying');
      retry(c);
    }
  };
  const retry = (c: pg.Client) => {
    if (stopped || timer || (client && client !== c)) return;
    client = undefined;
    c.end().catch(() => undefined);
    bus.emit('reset');
    timer = setTimeout(() => {
      timer = undefined;
      void connect();
    }, retryMs);
    retryMs = Math.min(retryMs * 2, 5000);
  };

  const ready = connect();
  return {
    bus,
    ready,
    async close() {
      stopped = true;
      clearTimeout(timer);
      await client?.end().catch(() => undefined);
    },
  };
}
