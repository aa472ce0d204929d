import express, { Express } from 'express';
import { Knex } from 'knex';
import type { Logger } from 'pino';
import { Config } from './config';
import { basicAuth } from './auth/basic';
import type { LoginThrottleOptions } from './auth/throttle';
import { bodyParsers } from './http/body';
import { errorMiddleware, notFoundRoute } from './http/error-middleware';
import { requestLogger } from './http/logger';
import { accountRoutes } from './crm/accounts/routes';
import { AccountService } from './crm/accounts/service';
import { metaRoutes } from './meta/routes';
import { contactRoutes } from './crm/contacts/routes';
import { ContactService } from './crm/contacts/service';
import { teamRoutes } from './crm/teams/routes';
import { TeamService } from './crm/teams/service';
import { industryRoutes } from './crm/industries';
import { financeRoutes } from './finance/routes';
import { InvoiceService } from './finance/invoices/service';
import { docsRoutes } from './docs/routes';
import { accountCommentRoutes, commentRoutes } from './crm/comments/routes';
import { CommentService } from './crm/comments/service';
import { accountAttachmentRoutes, attachmentRoutes } from './crm/attachments/routes';
import { AttachmentService } from './crm/attachments/service';
import { AttachmentStore } from './crm/attachments/store';
import { accountEmailRoutes, emailRoutes } from './crm/emails/routes';
import { EmailService } from './crm/emails/service';
import { idempotency } from './http/idempotency';
import { tokenRoutes } from './auth/token-routes';
import { userRoutes } from './users/routes';
import { createMetrics, metricsRoute } from './metrics/registry';
import { requestScoped, runAsUser } from './http/request-transaction';
import { changeRoutes } from './dialects/v2/changes';
import { webhookRoutes } from './dialects/v2/webhooks';
import { parseQueryString, rejectHostileUrl } from './http/hostile-input';
import { probeRoutes } from './http/probes';
import { shareReadRouting } from './db/replica';
import type { Invalidations } from './db/notify';

export interface AppDeps {
  knex: Knex;
  config: Pick<Config, 'bodyLimit' | 'maxLimit' | 'bulkMax' | 'idempotencyTtlMs' | 'attachmentsDir' | 'attachmentMaxBytes'> & {
    mail: { smtpConfigured: boolean; defaultFrom: string };
    login?: LoginThrottleOptions;
    /** Webhook targets on loopback and private networks (WEBHOOK_ALLOW_PRIVATE_TARGETS); default refused. */
    webhooks?: { allowPrivateTargets: boolean };
  } & Partial<Pick<Config, 'metricsToken'>>;
  log: Logger;
  /** Cross-process cache invalidation (LISTEN/NOTIFY); absent on PGlite, which is one process. */
  invalidations?: Invalidations;
}

/** The whole HTTP API; no global state, so each test builds its own. */
export function createApp({ knex, config, log, invalidations }: AppDeps): Express {
  // Services see a keyed write's transaction when there is one (idempotency.ts), else knex itself.
  const scoped = requestScoped(knex);
  shareReadRouting(knex, scoped);
  knex = scoped;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requestLogger(log));
  const metrics = createMetrics(knex);
  app.use(metrics.middleware);
  app.get('/metrics', metricsRoute(metrics.registry, config.metricsToken));
  // Every query parameter is parsed (Express's default keeps 1000 and drops the rest, filters included).
  app.set('query parser', (str: string) => parseQueryString(str, '&', '=', { maxKeys: 0 }));
  app.use(rejectHostileUrl);

  app.use(docsRoutes());
  app.use(probeRoutes(knex));

  const api = express.Router();
  api.use(basicAuth(knex, undefined, config.login, invalidations));
  // Writes' transactions name the user, so the change feed records who changed what.
  api.use((req, _res, next) => (req.user ? runAsUser(req.user.id, next) : next()));
  api.use(bodyParsers(config.bodyLimit));
  api.use(idempotency(knex, config.idempotencyTtlMs));
  const contacts = new ContactService(knex, config.maxLimit);
  const invoices = new InvoiceService(knex, config.maxLimit);
  const comments = new CommentService(knex);
  const attachments = new AttachmentService(knex, new AttachmentStore(config.attachmentsDir), config.attachmentMaxBytes);
  const emails = new EmailService(knex, config.maxLimit, config.mail);
  api.use('/v2/crm/accounts/:id/comments', accountCommentRoutes(comments));
  api.use('/v2/crm/accounts/:id/attachments', accountAttachmentRoutes(attachments));
  api.use('/v2/crm/accounts/:id/emails', accountEmailRoutes(emails));
  api.use('/v2/crm/comments', commentRoutes(comments));
  api.use('/v2/crm/attachments', attachmentRoutes(attachments));
  api.use('/v2/crm/emails', emailRoutes(emails));
  api.use('/v2/crm/accounts', accountRoutes(new AccountService(knex, config.maxLimit, invalidations), { bulkMax: config.bulkMax, contacts, invoices, comments, attachments }));
  api.use('/v2/crm/contacts', contactRoutes(contacts));
  api.use('/v2/crm/teams', teamRoutes(new TeamService(knex, config.maxLimit)));
  api.use('/v2/crm/industries', industryRoutes(knex));
  api.use('/v2/finance', financeRoutes(knex, config.maxLimit, invoices));
  api.use('/v2/meta', metaRoutes(knex));
  api.use('/v2/auth/tokens', tokenRoutes(knex));
  api.use('/v2/users', userRoutes(knex));
  api.use('/v2/changes', changeRoutes(knex, config.maxLimit));
  api.use('/v2/webhooks', webhookRoutes(knex, { allowPrivateTargets: config.webhooks?.allowPrivateTargets ?? false, maxLimit: config.maxLimit }));
  app.use('/api', api);

  app.use(notFoundRoute);
  app.use(errorMiddleware(log));
  return app;
}
