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
import { metaRoutes } from './dialects/v2/custom-fields';
import { CustomFieldService } from './domain/custom-fields/service';
import { contactRoutes, ContactsV2 } from './dialects/v2/contacts';
import { ContactService } from './domain/contacts/service';
import { teamRoutes } from './dialects/v2/teams';
import { TeamService } from './domain/teams/service';
import { industryRoutes } from './dialects/v2/industries';
import { IndustryService } from './domain/industries/service';
import { financeRoutes } from './dialects/v2/finance';
import { InvoicesV2 } from './dialects/v2/invoices';
import { InvoiceService } from './domain/invoices/service';
import { CurrencyService } from './domain/currencies/service';
import { docsRoutes } from './docs/routes';
import { accountCommentRoutes, commentRoutes, CommentsV2 } from './dialects/v2/comments';
import { CommentService } from './domain/comments/service';
import { accountAttachmentRoutes, attachmentRoutes, AttachmentsV2 } from './dialects/v2/attachments';
import { AttachmentService } from './domain/attachments/service';
import { AttachmentStore } from './domain/attachments/store';
import { emailRoutes } from './dialects/v2/emails';
import { EmailService } from './domain/emails/service';
import { idempotency } from './http/idempotency';
import { tokenRoutes } from './auth/token-routes';
import { userRoutes } from './dialects/v2/users';
import { UserService } from './domain/users/service';
import { createMetrics, metricsRoute } from './metrics/registry';
import { requestScoped } from './http/request-transaction';
import { parseQueryString, rejectHostileUrl } from './http/hostile-input';
import { probeRoutes } from './http/probes';
import { shareReadRouting } from './db/replica';
import type { Invalidations } from './db/notify';

export interface AppDeps {
  knex: Knex;
  config: Pick<Config, 'bodyLimit' | 'maxLimit' | 'bulkMax' | 'idempotencyTtlMs' | 'attachmentsDir' | 'attachmentMaxBytes'> & {
    mail: { smtpConfigured: boolean; defaultFrom: string };
    login?: LoginThrottleOptions;
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
  api.use(bodyParsers(config.bodyLimit));
  api.use(idempotency(knex, config.idempotencyTtlMs));
  const contacts = new ContactsV2(new ContactService(knex), config.maxLimit);
  const invoices = new InvoicesV2(new InvoiceService(knex), config.maxLimit);
  const comments = new CommentsV2(new CommentService(knex));
  const attachments = new AttachmentsV2(new AttachmentService(knex, new AttachmentStore(config.attachmentsDir), config.attachmentMaxBytes));
  const emails = emailRoutes(new EmailService(knex, config.mail), config.maxLimit);
  api.use('/v2/crm/accounts/:id/comments', accountCommentRoutes(comments));
  api.use('/v2/crm/accounts/:id/attachments', accountAttachmentRoutes(attachments));
  api.use('/v2/crm/accounts/:id/emails', emails.account);
  api.use('/v2/crm/comments', commentRoutes(comments));
  api.use('/v2/crm/attachments', attachmentRoutes(attachments));
  api.use('/v2/crm/emails', emails.single);
  api.use('/v2/crm/accounts', accountRoutes(new AccountService(knex, config.maxLimit, invalidations), { bulkMax: config.bulkMax, contacts, invoices, comments, attachments }));
  api.use('/v2/crm/contacts', contactRoutes(contacts));
  api.use('/v2/crm/teams', teamRoutes(new TeamService(knex), config.maxLimit));
  api.use('/v2/crm/industries', industryRoutes(new IndustryService(knex)));
  api.use('/v2/finance', financeRoutes({ currencies: new CurrencyService(knex), invoices, maxLimit: config.maxLimit }));
  api.use('/v2/meta', metaRoutes(new CustomFieldService(knex)));
  api.use('/v2/auth/tokens', tokenRoutes(knex));
  api.use('/v2/users', userRoutes(new UserService(knex)));
  app.use('/api', api);

  app.use(notFoundRoute);
  app.use(errorMiddleware(log));
  return app;
}
