import { Knex } from 'knex';
import type { Logger } from 'pino';
import { PollLoop } from '../core/poll-loop';
import { encodeCursor } from './cursor';
import { postOnce } from './deliver';
import type { RecordSource } from './records';
import { eventName } from './resources';
import { signatureHeader } from './signing';

export interface WebhookWorkerOptions {
  /** Deliveries claimed per round (sent side by side; never two of one record). */
  batch: number;
  /** Attempts before a delivery is marked failed and its webhook disabled. */
  maxAttempts: number;
  /** First retry delay; doubles with each failed attempt, up to `retryMaxMs`. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** How long a claim lasts; a delivery still `sending` after that (a crashed worker) is taken up again. */
  leaseMs: number;
  /** Per delivery: resolve, connect, send and read the answer within this. */
  timeoutMs: number;
  /** At most this much of a receiver's answer is read. */
  maxResponseBytes: number;
  allowPrivateTargets: boolean;
}

export interface WebhookRoundResult {
  delivered: number;
  retried: number;
  failed: number;
}

export const WEBHOOK_DEFAULTS: WebhookWorkerOptions = {
  batch: 20,
  maxAttempts: 12,
  retryBaseMs: 30_000,
  retryMaxMs: 3_600_000,
  leaseMs: 5 * 60_000,
  timeoutMs: 10_000,
  maxResponseBytes: 1024,
  allowPrivateTargets: false,
};

interface Claimed {
  id: string | number;
  org_id: number;
  webhook_id: number;
  xid: string;
  change_seq: string | number;
  resource: string;
  record_id: number;
  action: string;
  attempts: number;
  url: string;
  secret: string;
  created_by: number;
}

/**
 * Drains the webhook outbox (the mail worker's claim, src/mail/worker.ts, and loop, PollLoop). A round claims due
 * deliveries of enabled webhooks with one UPDATE whose subquery locks them FOR UPDATE SKIP LOCKED, so
 * two workers (in one process or in many) never claim one delivery; a delivery is only due when no
 * earlier delivery of the same record to the same webhook is still open, so each record's changes
 * arrive in order. At least once: a crash between the receiver's 2xx and the status update lets the
 * lease lapse and the delivery is sent again, with the same id (X-V2crm-Delivery) for deduplication.
 */
export class WebhookWorker {
  private readonly opts: WebhookWorkerOptions;
  private readonly loop: PollLoop;

  constructor(
    private readonly knex: Knex,
    private readonly records: RecordSource,
    private readonly log: Logger,
    opts: Partial<WebhookWorkerOptions> = {},
  ) {
    this.opts = { ...WEBHOOK_DEFAULTS, ...opts };
    this.loop = new PollLoop(
      async () => {
        const r = await this.runOnce();
        return r.delivered + r.retried + r.failed;
      },
      this.opts.batch,
      (err) => log.error({ err }, 'webhook worker round failed'),
    );
  }

  /** Claims and sends what is due now, once. */
  async runOnce(): Promise<WebhookRoundResult> {
    const result: WebhookRoundResult = { delivered: 0, retried: 0, failed: 0 };
    const { rows } = (await this.knex.raw(
      `WITH claimed AS (
         UPDATE webhook_deliveries d SET status = 'sending', attempts = d.attempts + 1,
                locked_until = clock_timestamp() + (? * interval '1 millisecond')
          WHERE (d.org_id, d.id) IN (
            SELECT c.org_id, c.id FROM webhook_deliveries c
              JOIN webhooks w ON w.org_id = c.org_id AND w.id = c.webhook_id AND w.enabled
             WHERE ((c.status = 'pending' AND c.next_attempt_at <= clock_timestamp())
                 OR (c.status = 'sending' AND c.locked_until < clock_timestamp()))
               AND NOT EXISTS (
                 SELECT 1 FROM webhook_deliveries e
                  WHERE e.org_id = c.org_id AND e.webhook_id = c.webhook_id AND e.resource = c.resource
                    AND e.record_id = c.record_id AND e.id < c.id AND e.status IN ('pending', 'sending'))
             ORDER BY c.id
             LIMIT ?
             FOR UPDATE OF c SKIP LOCKED)
        RETURNING d.id, d.org_id, d.webhook_id, d.change_xid::text AS xid, d.change_seq, d.resource, d.record_id, d.action, d.attempts)
       SELECT claimed.*, w.url, w.secret, w.created_by
         FROM claimed JOIN webhooks w ON w.org_id = claimed.org_id AND w.id = claimed.webhook_id
        ORDER BY claimed.id`,
      [this.opts.leaseMs, this.opts.batch],
    )) as { rows: Claimed[] };

    await Promise.all(
      rows.map(async (d) => {
        const outcome = await this.deliver(d);
        result[outcome]++;
      }),
    );
    return result;
  }

  private async deliver(d: Claimed): Promise<keyof WebhookRoundResult> {
    const id = String(d.id);
    let status: number | null = null;
    let error: string;
    try {
      const data = (await this.records.read({ id: d.created_by, orgId: d.org_id, role: 'admin', email: '' }, d.resource, d.record_id)) ?? { id: d.record_id };
      const body = JSON.stringify({ id, event: eventName(d.resource, d.action), cursor: encodeCursor({ xid: d.xid, seq: String(d.change_seq) }), data });
      const signature = signatureHeader(d.secret, body, Math.floor(Date.now() / 1000));
      const res = await postOnce(d.url, body, { 'X-V2crm-Delivery': id, 'X-V2crm-Signature': signature }, this.opts);
      status = res.status;
      if (res.status >= 200 && res.status < 300) {
        await this.knex('webhook_deliveries')
          .where({ org_id: d.org_id, id: d.id, status: 'sending' })
          .update({ status: 'delivered', response_code: res.status, last_error: null, locked_until: null, delivered_at: this.knex.raw('clock_timestamp()') });
        this.log.debug({ delivery: id, webhook: d.webhook_id, status: res.status }, 'webhook delivered');
        return 'delivered';
      }
      error = `${res.status >= 300 && res.status < 400 ? 'redirect not followed: ' : ''}HTTP ${res.status}${res.body ? `: ${res.body}` : ''}`;
    } catch (e) {
      error = (e as Error).message || String(e);
    }
    error = error.slice(0, 1000);
    const final = d.attempts >= this.opts.maxAttempts;
    const delay = Math.min(this.opts.retryBaseMs * 2 ** (d.attempts - 1), this.opts.retryMaxMs);
    await this.knex('webhook_deliveries')
      .where({ org_id: d.org_id, id: d.id, status: 'sending' })
      .update({
        status: final ? 'failed' : 'pending',
        response_code: status,
        last_error: error,
        locked_until: null,
        next_attempt_at: this.knex.raw("clock_timestamp() + (? * interval '1 millisecond')", [delay]),
      });
    if (final) {
      // A receiver that failed every attempt over hours is switched off until an admin enables it again.
      await this.knex('webhooks')
        .where({ org_id: d.org_id, id: d.webhook_id, enabled: true })
        .update({ enabled: false, disabled_reason: `delivery ${id} failed ${d.attempts} times; last error: ${error}`.slice(0, 1000), updated: this.knex.raw('clock_timestamp()') });
      this.log.warn({ delivery: id, webhook: d.webhook_id, attempts: d.attempts, error }, 'webhook delivery failed for good; webhook disabled');
      return 'failed';
    }
    this.log.info({ delivery: id, webhook: d.webhook_id, attempt: d.attempts, error, retryInMs: delay }, 'webhook delivery failed; will retry');
    return 'retried';
  }

  /** Runs a round every `pollMs` until stop(); a round that fails is logged and the loop goes on. */
  start(pollMs: number): void {
    this.loop.start(pollMs);
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }
}
