import crypto from 'node:crypto';
import { NextFunction, Request, Response } from 'express';
import { Knex } from 'knex';
import { HttpError, ValidationError } from './errors';
import { runWithDb } from './request-transaction';

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Response headers worth replaying with a stored response. */
const KEPT_HEADERS = ['etag', 'location', 'x-duped-email'];

interface Held {
  status: number;
  headers: Record<string, string>;
  body: string | null;
}

/** Thrown inside a transaction to roll it back while still answering with the held response. */
class RollBack {
  constructor(readonly held: Held) {}
}

function fingerprint(req: Request): string {
  return crypto
    .createHash('sha256')
    .update(JSON.stringify([req.method, req.originalUrl, req.body ?? null]))
    .digest('base64');
}

/**
 * `Idempotency-Key` on writes, stored with the write (Stripe's design). A keyed request runs inside
 * one database transaction that first claims the key, then runs the route (every service query goes
 * to that transaction, see request-transaction.ts) and stores the response, and only then commits and
 * answers. So after any crash a key either replays a committed result or was never claimed and runs
 * afresh: it can never be stuck "in progress" nor apply twice. A concurrent twin waits on the key's
 * unique index until the first commits, then replays it. Any status is stored, 204s included; a 5xx
 * rolls everything back so the client may retry; a 4xx keeps the key with nothing of the write.
 * Keys are per user and expire after `ttlMs`; the same key with another body is a 422.
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
    const requestHash = fingerprint(req);

    // The response is held (not written) until the transaction that stores it has committed.
    const end = res.end.bind(res) as (...a: unknown[]) => Response;
    let decide!: (h: Held) => void;
    const decided = new Promise<Held>((resolve) => (decide = resolve));
    res.end = ((chunk?: unknown) => {
      const headers: Record<string, string> = {};
      for (const h of KEPT_HEADERS) {
        const v = res.getHeader(h);
        if (v !== undefined) headers[h] = String(v);
      }
      const body = chunk === undefined || chunk === null || typeof chunk === 'function' ? null : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk);
      decide({ status: res.statusCode, headers, body });
      return res;
    }) as Response['end'];

    const replay = (row: { status: number; headers: unknown; body: string | null }) => {
      for (const [h, v] of Object.entries((row.headers ?? {}) as Record<string, string>)) res.setHeader(h, v);
      res.setHeader('Idempotent-Replayed', 'true');
      res.status(row.status);
      if (row.body === null) end();
      else {
        res.type('application/json');
        end(row.body);
      }
    };
    const answer = (h: Held) => {
      res.end = end as Response['end'];
      end(h.body ?? undefined);
    };

    let stored: { status: number; headers: unknown; body: string | null; request_hash: string } | undefined;
    try {
      const held = await knex.transaction(async (trx) => {
        // Rows from before this design could be left "in_progress"; expired keys are free again.
        await trx('idempotency_keys')
          .where(scope)
          .where((w) => w.where('expires_at', '<', new Date()).orWhereNot('state', 'done'))
          .delete();
        // On PostgreSQL this waits for a concurrent twin's transaction to end.
        const claimed = await trx('idempotency_keys')
          .insert({ ...scope, request_hash: requestHash, state: 'done', expires_at: new Date(Date.now() + ttlMs) })
          .onConflict(['org_id', 'user_id', 'key'])
          .ignore()
          .returning('key');
        if (!claimed.length) {
          stored = await trx('idempotency_keys').where(scope).first('status', 'headers', 'body', 'request_hash');
          return undefined;
        }
        let outcome: Held;
        try {
          outcome = await trx.transaction(async (sp) => {
            runWithDb(sp, () => next());
            const h = await decided;
            // A refused request keeps its key but none of its partial work.
            if (h.status >= 400) throw new RollBack(h);
            return h;
          });
        } catch (e) {
          if (!(e instanceof RollBack)) throw e;
          outcome = e.held;
        }
        if (outcome.status >= 500) throw new RollBack(outcome);
        await trx('idempotency_keys')
          .where(scope)
          .update({ status: outcome.status, headers: JSON.stringify(outcome.headers), body: outcome.body });
        return outcome;
      });
      if (held) return answer(held);
    } catch (e) {
      if (e instanceof RollBack) return answer(e.held);
      res.end = end as Response['end'];
      // The commit itself failed: whatever the route said, nothing is stored, so the client may retry.
      req.log?.error({ err: e }, 'a keyed write could not be committed');
      if (res.headersSent) return void res.destroy();
      res.statusCode = 503;
      res.setHeader('Content-Type', 'application/json; charset=utf-8');
      return end(JSON.stringify({ error: { code: 'database_unavailable', message: 'the write could not be committed; retry with the same Idempotency-Key' } }));
    }
    res.end = end as Response['end'];
    if (Math.random() < 0.01) {
      // Opportunistic sweep, so expired keys do not pile up without a cron job. Each org sweeps its own
      // keys: like every tenant statement it names org_id (a sharded deployment routes it to one shard).
      knex('idempotency_keys').where({ org_id: scope.org_id }).where('expires_at', '<', new Date()).delete().catch(() => undefined);
    }
    if (!stored) {
      throw new HttpError(409, 'idempotency_key_in_progress', 'a request with this Idempotency-Key was being processed; retry shortly');
    }
    if (stored.request_hash !== requestHash) {
      throw new HttpError(422, 'idempotency_key_reused', 'this Idempotency-Key was used with a different request; use a new key for a new request', [
        { field: 'Idempotency-Key', message: 'was first used with another method, path or body' },
      ]);
    }
    replay(stored);
  };
}
