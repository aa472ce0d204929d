import { Knex } from 'knex';
import type { Logger } from 'pino';

/** "16/B374D848" → a comparable number. */
export function lsnValue(lsn: string): bigint {
  const [hi, lo] = lsn.split('/');
  return (BigInt(`0x${hi}`) << 32n) + BigInt(`0x${lo}`);
}

/**
 * Reads that tolerate lag (lists, exports, history) go to a hot standby, but only when it has
 * replayed everything the primary had written when the read began: the primary's
 * pg_current_wal_lsn() and the standby's pg_last_wal_replay_lsn() are read together, and the standby
 * is used only if its replay position is at or past the primary's. Any write acknowledged before the
 * read started (by this client through any process, or by anyone) is then visible on the standby, so
 * a client never misses its own writes, whichever process the load balancer picks. Otherwise, or when
 * the standby does not answer, the primary serves the read. A standby that fails is left alone for
 * a few seconds.
 */
export class ReadRouter {
  private downUntil = 0;

  constructor(
    private readonly primary: Knex,
    readonly replica: Knex,
    private readonly log?: Logger,
    private readonly backoffMs = 5000,
  ) {}

  async pick(): Promise<Knex> {
    if (Date.now() < this.downUntil) return this.primary;
    try {
      const [p, r] = await Promise.all([
        this.primary.raw('SELECT pg_current_wal_lsn()::text AS lsn'),
        this.replica.raw('SELECT pg_last_wal_replay_lsn()::text AS lsn'),
      ]);
      const primaryLsn: string = p.rows[0].lsn;
      const replayLsn: string | null = r.rows[0].lsn;
      if (replayLsn !== null && lsnValue(replayLsn) >= lsnValue(primaryLsn)) {
        this.log?.debug({ read: 'replica' }, 'lag-tolerant read on the replica');
        return this.replica;
      }
      this.log?.debug({ read: 'primary', primaryLsn, replayLsn }, 'replica behind the primary: read on the primary');
    } catch (err) {
      this.downUntil = Date.now() + this.backoffMs;
      this.log?.warn({ err: (err as Error).message }, 'replica unavailable: reads go to the primary for a few seconds');
    }
    return this.primary;
  }
}

const routers = new WeakMap<Knex, ReadRouter>();

/** Lag-tolerant reads through `primary` may from now on go to the router's replica. */
export function routeLagTolerantReads(primary: Knex, router: ReadRouter): void {
  routers.set(primary, router);
}

/** `to` (e.g. the request-scoped wrapper of `from`) routes lag-tolerant reads as `from` does. */
export function shareReadRouting(from: Knex, to: Knex): void {
  const router = routers.get(from);
  if (router) routers.set(to, router);
}

/** The database a lag-tolerant read should use: `knex` itself unless a replica is configured for it. */
export async function lagTolerantReader(knex: Knex): Promise<Knex> {
  // Inside a transaction (a keyed write's request scope) a read must see that transaction's writes.
  if ((knex as Knex.Transaction).isTransaction) return knex;
  const router = routers.get(knex);
  return router ? router.pick() : knex;
}
