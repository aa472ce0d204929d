import { Knex } from 'knex';
import type { Logger } from 'pino';
import { Config } from '../config';
import { WebhookWorker, WebhookWorkerOptions } from './worker';
import type { RecordSource } from './records';

export function webhookWorkerOptions(config: Config): Partial<WebhookWorkerOptions> {
  const w = config.webhooks;
  return { maxAttempts: w.maxAttempts, retryBaseMs: w.retryBaseMs, retryMaxMs: w.retryMaxMs, timeoutMs: w.timeoutMs, allowPrivateTargets: w.allowPrivateTargets };
}

/** The in-process webhook worker; every server process runs one (claims keep them from sending a delivery twice). */
export function startWebhookWorker(knex: Knex, records: RecordSource, config: Config, log: Logger): WebhookWorker {
  const worker = new WebhookWorker(knex, records, log, webhookWorkerOptions(config));
  worker.start(config.webhooks.pollMs);
  return worker;
}
