import { AsyncLocalStorage } from 'node:async_hooks';
import { Knex } from 'knex';

const current = new AsyncLocalStorage<Knex>();
const actor = new AsyncLocalStorage<number>();

/**
 * Runs `fn` as the authenticated user `userId`: every transaction begun through `requestScoped` then
 * first sets the transaction-local `v2crm.user_id`, which the change-feed triggers record as
 * `changed_by` (migrations/014_change_feed.ts).
 */
export function runAsUser<T>(userId: number, fn: () => T): T {
  return actor.run(userId, fn);
}

type TransactionFn = (handler?: unknown, config?: unknown) => Promise<unknown>;

/** `db.transaction` that names the acting user in the new transaction (or savepoint) before anything else. */
function withActor(transaction: TransactionFn, userId: number): TransactionFn {
  const mark = (trx: Knex) => trx.raw("SELECT set_config('v2crm.user_id', ?, true)", [String(userId)]);
  return (handler?: unknown, config?: unknown) => {
    if (typeof handler !== 'function') {
      return transaction(handler, config).then(async (trx) => {
        await mark(trx as Knex);
        return trx;
      });
    }
    return transaction(async (trx: Knex) => {
      await mark(trx);
      return (handler as (t: Knex) => unknown)(trx);
    }, config);
  };
}

/** Runs `fn` (and everything it starts) with `trx` as the database of the request scope. */
export function runWithDb<T>(trx: Knex, fn: () => T): T {
  return current.run(trx, fn);
}

/**
 * The knex every service and route is built with. Outside a request scope it is `knex` itself; inside
 * one (a keyed write, see idempotency.ts) it is that request's transaction, so the write and the
 * stored response commit together without each service having to pass a transaction around. A
 * service's own `knex.transaction(...)` then becomes a savepoint of it.
 */
export function requestScoped(knex: Knex): Knex {
  const pick = () => current.getStore() ?? knex;
  return new Proxy(knex, {
    apply: (_target, thisArg, args) => Reflect.apply(pick() as unknown as (...a: unknown[]) => unknown, thisArg, args),
    get: (_target, prop) => {
      const db = pick();
      const v = Reflect.get(db, prop, db) as unknown;
      const userId = actor.getStore();
      if (prop === 'transaction' && typeof v === 'function' && userId !== undefined) return withActor((v as TransactionFn).bind(db), userId);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(db) : v;
    },
  });
}
