import { Knex } from 'knex';
import type { Logger } from 'pino';
import { PollLoop } from '../core/poll-loop';
import { MailTransport } from './transport';

export interface WorkerOptions {
  /** Mails claimed per round. */
  batch: number;
  maxAttempts: number;
  /** First retry delay; doubles with each failed attempt. */
  retryBaseMs: number;
  /** How long a claim lasts; a mail still `sending` after that (a crashed worker) is taken up again. */
  leaseMs: number;
}

export interface RoundResult {
  sent: number;
  retried: number;
  failed: number;
}

const DEFAULTS: WorkerOptions = { batch: 20, maxAttempts: 6, retryBaseMs: 60_000, leaseMs: 5 * 60_000 };

/**
 * Drains the account e-mail outbox. A round claims due mail with one UPDATE whose subquery takes
 * row locks with FOR UPDATE SKIP LOCKED: two workers (in one process or many) never claim the same
 * mail, so none is sent twice. Delivery is at-least-once only across a crash between the SMTP
 * server's "250 OK" and the status update (the lease then lapses and the mail is retried).
 */
export class MailWorker {
  private readonly opts: WorkerOptions;
  private readonly loop: PollLoop;

  constructor(
    private readonly knex: Knex,
    private readonly transport: MailTransport,
    private readonly log: Logger,
    opts: Partial<WorkerOptions> = {},
  ) {
    this.opts = { ...DEFAULTS, ...opts };
    this.loop = new PollLoop(
      async () => {
        const r = await this.runOnce();
        return r.sent + r.retried + r.failed;
      },
      this.opts.batch,
      (err) => log.error({ err }, 'mail worker round failed'),
    );
  }

  /** Claims and sends what is due now, once. */
  async runOnce(): Promise<RoundResult> {
    const result: RoundResult = { sent: 0, retried: 0, failed: 0 };
    const { rows } = (await this.knex.raw(
      `UPDATE account_emails SET status = 'sending', attempts = attempts + 1,
              locked_until = now() + (? * interval '1 millisecond')
        WHERE (org_id, id) IN (
          SELECT org_id, id FROM account_emails
           WHERE (status IN ('queued', 'scheduled') AND next_attempt_at <= now())
              OR (status = 'sending' AND locked_until < now())
           ORDER BY next_attempt_at, id
           LIMIT ?
           FOR UPDATE SKIP LOCKED)
        RETURNING org_id, id, from_account, recipients, subject, html, attempts`,
      [this.opts.leaseMs, this.opts.batch],
    )) as { rows: { org_id: number; id: number; from_account: string; recipients: string[]; subject: string; html: string; attempts: number }[] };

    for (const m of rows) {
      try {
        const info = await this.transport.send({ from: m.from_account, to: m.recipients, subject: m.subject, html: m.html });
        await this.knex('account_emails')
          .where({ org_id: m.org_id, id: m.id, status: 'sending' })
          .update({ status: 'sent', sent_at: this.knex.fn.now(), message_id: info.messageId, last_error: null, locked_until: null });
        result.sent++;
        this.log.info({ email: m.id, messageId: info.messageId }, 'e-mail sent');
      } catch (e) {
        const error = (e as Error).message.slice(0, 1000);
        const final = m.attempts >= this.opts.maxAttempts;
        const delay = this.opts.retryBaseMs * 2 ** (m.attempts - 1);
        await this.knex('account_emails')
          .where({ org_id: m.org_id, id: m.id, status: 'sending' })
          .update({
            status: final ? 'failed' : 'queued',
            last_error: error,
            locked_until: null,
            next_attempt_at: this.knex.raw("now() + (? * interval '1 millisecond')", [delay]),
          });
        if (final) result.failed++;
        else result.retried++;
        this.log.warn({ email: m.id, attempt: m.attempts, error, final }, final ? 'e-mail failed for good' : 'e-mail not sent; will retry');
      }
    }
    return result;
  }

  /** Runs a round every `pollMs` until stop(); a round that fails is logged and the loop goes on. */
  start(pollMs: number): void {
    this.loop.start(pollMs);
  }

  async stop(): Promise<void> {
    await this.loop.stop();
    this.transport.close();
  }
}
