import crypto from 'node:crypto';
import { NextFunction, Request, Response } from 'express';
import { Knex } from 'knex';
import client from 'prom-client';
import { HttpError } from '../http/errors';
import { routeLabel } from './route-label';

const OUTBOX_STATUSES = ['queued', 'scheduled', 'sending', 'sent', 'failed'];

/** knex's connection pool (tarn); PGlite's is one connection. */
interface TarnPool {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
  max: number;
}

/**
 * One Prometheus registry per app (no global state, so tests can build several): request count
 * and latency by method, route and status, the database pool, the e-mail outbox by status, and
 * prom-client's process figures (CPU, memory, event loop lag, handles).
 */
export function createMetrics(knex: Knex) {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new client.Counter({ name: 'v2crm_http_requests_total', help: 'HTTP requests answered', labelNames, registers: [registry] });
  const latency = new client.Histogram({
    name: 'v2crm_http_request_duration_seconds',
    help: 'Time from request to the end of the response',
    labelNames,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const pool = () => (knex.client as { pool?: TarnPool }).pool;
  new client.Gauge({
    name: 'v2crm_db_pool_connections',
    help: 'Database pool connections: in use, idle, and requests waiting for one',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const p = pool();
      this.set({ state: 'in_use' }, p?.numUsed() ?? 0);
      this.set({ state: 'idle' }, p?.numFree() ?? 0);
      this.set({ state: 'waiting' }, p?.numPendingAcquires() ?? 0);
    },
  });
  new client.Gauge({
    name: 'v2crm_db_pool_max',
    help: 'Most connections the pool opens',
    registers: [registry],
    collect() {
      this.set(pool()?.max ?? 0);
    },
  });
  new client.Gauge({
    name: 'v2crm_mail_outbox',
    help: 'Account e-mails in the outbox by status',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      const rows = (await knex('account_emails').select('status').count({ n: '*' }).groupBy('status')) as { status: string; n: number | string }[];
      const counts = new Map(rows.map((r) => [r.status, Number(r.n)]));
      for (const status of new Set([...OUTBOX_STATUSES, ...counts.keys()])) this.set({ status }, counts.get(status) ?? 0);
    },
  });

  /** Counts every response, whatever answered it (routes, 404s, errors). */
  const middleware = (req: Request, res: Response, next: NextFunction) => {
    const stop = latency.startTimer();
    res.once('finish', () => {
      const labels = { method: req.method, route: routeLabel(req.originalUrl.split('?')[0]), status: String(res.statusCode) };
      requests.inc(labels);
      stop(labels);
    });
    next();
  };
  return { registry, middleware };
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

/** A direct loopback client: a request relayed by a proxy (X-Forwarded-For) is not one, wherever the proxy runs. */
export function isLoopback(req: Request): boolean {
  return LOOPBACK.test(req.socket.remoteAddress ?? '') && req.headers['x-forwarded-for'] === undefined && req.headers.forwarded === undefined;
}

function sameSecret(a: string, b: string): boolean {
  const digest = (s: string) => crypto.createHash('sha256').update(s).digest();
  return crypto.timingSafeEqual(digest(a), digest(b));
}

/** `GET /metrics`: loopback clients always; others only with `Authorization: Bearer <METRICS_TOKEN>`. */
export function metricsRoute(registry: client.Registry, metricsToken?: string) {
  return async (req: Request, res: Response, next: NextFunction) => {
    if (!isLoopback(req)) {
      if (!metricsToken) return next(new HttpError(403, 'forbidden', '/metrics answers loopback clients only; set METRICS_TOKEN to let others in with it'));
      const m = /^Bearer +(\S+) *$/i.exec(req.headers.authorization ?? '');
      if (!m || !sameSecret(m[1], metricsToken)) {
        return next(new HttpError(401, 'unauthorized', '/metrics needs Authorization: Bearer <METRICS_TOKEN>', undefined, { 'WWW-Authenticate': 'Bearer realm="v2crm-metrics"' }));
      }
    }
    try {
      const text = await registry.metrics();
      res.type(registry.contentType).send(text);
    } catch (e) {
      next(e);
    }
  };
}
