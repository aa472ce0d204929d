import type { Logger } from 'pino';
import { Config } from '../config';
import { Db } from '../db';
import { Invalidations, listenForInvalidations } from '../db/notify';

/**
 * What a server process needs to be one of many on a database server: the cache-invalidation
 * listener on a direct connection (DATABASE_DIRECT_URL, else DATABASE_URL). PGlite is one process:
 * nothing to listen to.
 */
export async function startScaleOut(db: Db, config: Config, log: Logger): Promise<{ invalidations?: Invalidations; close(): Promise<void> }> {
  if (db.kind !== 'postgres' || !config.databaseUrl) return { close: async () => undefined };
  const listener = listenForInvalidations(config.scale.databaseDirectUrl ?? config.databaseUrl, log);
  await listener.ready;
  return { invalidations: listener.bus, close: () => listener.close() };
}
