import cluster from 'node:cluster';
import type { Logger } from 'pino';

/** Set in the environment of the workers this module forks. */
const WORKER_ENV = 'V2CRM_CLUSTER_WORKER';

export function isClusterWorker(): boolean {
  return cluster.isWorker && process.env[WORKER_ENV] === '1';
}

/**
 * `WEB_CONCURRENCY=N` (N > 1): this primary process has already migrated and seeded the database; it
 * forks N workers that each run the whole server (own pool, mail worker, cache listener) and share
 * one listening port, node:cluster handing connections out round-robin. A worker that dies is
 * replaced (at most once a second, so a crash loop does not spin); SIGTERM/SIGINT are passed on and
 * the primary exits when every worker has.
 */
export function runClusterPrimary(n: number, port: number, log: Logger): void {
  let stopping = false;
  let lastRestart = 0;
  const listening = new Set<number>();
  const fork = () => cluster.fork({ [WORKER_ENV]: '1' });
  cluster.on('listening', (worker, address) => {
    listening.add(worker.id);
    if (listening.size === n) {
      log.info({ port: address.port || port, workers: n }, `v2crm listening on http://localhost:${address.port || port}/api/v2/crm/accounts with ${n} worker processes`);
    }
  });
  cluster.on('exit', (worker, code, signal) => {
    listening.delete(worker.id);
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    log.error({ worker: worker.process.pid, code, signal }, 'worker process exited; starting another');
    const wait = Math.max(0, lastRestart + 1000 - Date.now());
    lastRestart = Date.now() + wait;
    setTimeout(fork, wait);
  });
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down the workers');
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill(signal);
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  for (let i = 0; i < n; i++) fork();
}
