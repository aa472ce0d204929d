import crypto from 'node:crypto';
import { NextFunction, Request, Response } from 'express';
import { Knex } from 'knex';
import { HttpError, ValidationError } from './errors';

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Response headers worth replaying with a stored response. */
const KEPT_HEADERS = ['etag', 'location', 'x-duped-email'];
const WAIT_STEP_MS = 50;
const WAIT_MAX_MS = 15000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * `Idempotency-Key` on writes. The first request with a key claims it in the database (so it holds
 * across server processes), runs, and stores its response before sending it; a retry with the same
 * key and body gets that stored response without the work being done again, a concurrent twin waits
 * for it, and the same key with a different body is a 422. Keys are per user and expire after
 * `ttlMs`. A 5xx is not stored, so the client may retry it.
 */
export function idempotency(knex: Knex, ttlMs: number) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const key = req.get('Idempotency-Key');
    if (key === undefined || !WRITES.has(req.method) || !req.user) return next();
    if (key.length === 0 || key.length > 255 || !/^[\x21-\x7e]+$/.test(key)) {
      throw new ValidationError([{ field: 'Idempotency-Key', message: 'must be 1 to 255 visible ASCII characters' }]);
    }
    if (req.is('multipart/form-data')) {
      // The file is streamed, never buffered, so it cannot be part of the request's fingerprint.
      throw new ValidationError([{ field: 'Idempotency-Key', message: 'is not supported on file uploads; retry an upload after listing what arrived' }]);
    }
    const scope = { org_id: req.user.orgId, user_id: req.user.id, key };
    const requestHash = crypto
      .createHash('sha256')
      .update(JSON.stringify([req.method, req.originalUrl, req.body ?? null]))
      .digest('base64');

    for (let waited = 0; ; ) {
      const claimed = await knex('idempotency_keys')
        .insert({ ...scope, request_hash: requestHash, expires_at: new Date(Date.now() + ttlMs) })
        .onConflict(['org_id', 'user_id', 'key'])
        .ignore()
        .returning('key');
      if (claimed.length) break;
      const row = await knex('idempotency_keys').where(scope).first();
      if (!row) continue;
      if (new Date(row.expires_at).getTime() < Date.now()) {
        await knex('idempotency_keys').where(scope).where('expires_at', '<', new Date()).delete();
        continue;
      }
      if (row.request_hash !== requestHash) {
        throw new HttpError(422, 'idempotency_key_reused', 'this Idempotency-Key was used with a different request; use a new key for a new request', [
          { field: 'Idempotency-Key', message: 'was first used with another method, path or body' },
        ]);
      }
      if (row.state === 'done') {
        for (const [h, v] of Object.entries((row.headers ?? {}) as Record<string, string>)) res.setHeader(h, v);
        res.setHeader('Idempotent-Replayed', 'true');
        res.status(row.status).type('application/json').send(row.body);
        return;
      }
      if (waited >= WAIT_MAX_MS) {
        throw new HttpError(409, 'idempotency_key_in_progress', 'a request with this Idempotency-Key is still being processed; retry shortly');
      }
      await sleep(WAIT_STEP_MS);
      waited += WAIT_STEP_MS;
    }

    if (Math.random() < 0.01) {
      // Opportunistic sweep, so expired keys do not pile up without a cron job.
      knex('idempotency_keys').where('expires_at', '<', new Date()).delete().catch(() => undefined);
    }

    const send = res.json.bind(res);
    res.json = ((body: unknown) => {
      const status = res.statusCode;
      const headers: Record<string, string> = {};
      for (const h of KEPT_HEADERS) {
        const v = res.getHeader(h);
        if (v !== undefined) headers[h] = String(v);
      }
      const store =
        status >= 500
          ? knex('idempotency_keys').where(scope).delete()
          : knex('idempotency_keys').where(scope).update({ state: 'done', status, headers: JSON.stringify(headers), body: JSON.stringify(body) });
      // The response leaves only once it is stored: a retry after this point can always replay it.
      store.then(
        () => send(body),
        (err: unknown) => {
          req.log?.error({ err }, 'storing the idempotent response failed');
          send(body);
        },
      );
      return res;
    }) as Response['json'];
    next();
  };
}
