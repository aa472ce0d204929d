import { Knex } from 'knex';
import type { Logger } from 'pino';
import { Config } from '../config';
import { smtpTransport } from './transport';
import { MailWorker, WorkerOptions } from './worker';

export function workerOptions(config: Config): Partial<WorkerOptions> {
  return { maxAttempts: config.mail.maxAttempts, retryBaseMs: config.mail.retryBaseMs };
}

/** The in-process worker, when SMTP is configured; without it mail stays queued (and the API says so). */
export function startMailWorker(knex: Knex, config: Config, log: Logger): MailWorker | undefined {
  if (!config.mail.smtp) {
    log.info('SMTP_HOST is not set: account e-mail is stored and stays queued');
    return undefined;
  }
  const worker = new MailWorker(knex, smtpTransport(config.mail.smtp), log, workerOptions(config));
  worker.start(config.mail.pollMs);
  return worker;
}
