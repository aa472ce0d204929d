import { AsyncLocalStorage } from 'node:async_hooks';
import { Knex } from 'knex';

const current = new AsyncLocalStorage<Knex>();

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
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(db) : v;
    },
  });
}
