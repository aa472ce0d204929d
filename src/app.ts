import express, { Express } from 'express';
import { Knex } from 'knex';
import type { Logger } from 'pino';
import { Config } from './config';
import { basicAuth } from './auth/basic';
import type { LoginThrottleOptions } from './auth/throttle';
import { bodyParsers } from './http/body';
import { errorMiddleware, notFoundRoute } from './dialects/v2/error-envelope';
import { requestLogger } from './http/logger';
import { accountRoutes } from './dialects/v2/accounts/routes';
import { AccountService } from './domain/accounts/service';
import { docsRoutes } from './docs/routes';
import { mountV2Resources, V2Services } from './dialects/v2/mount';
import { CommentService } from './domain/comments/service';
import { ContactService } from './domain/contacts/service';
import { CurrencyService } from './domain/currencies/service';
import { CustomFieldService } from './domain/custom-fields/service';
import { AttachmentService } from './domain/attachments/service';
import { AttachmentStore } from './domain/attachments/store';
import { EmailService } from './domain/emails/service';
import { IndustryService } from './domain/industries/service';
import { InvoiceService } from './domain/invoices/service';
import { TeamService } from './domain/teams/service';
import { UserService } from './domain/users/service';
import { idempotency } from './http/idempotency';
import { tokenRoutes } from './auth/token-routes';
import { createMetrics, metricsRoute } from './metrics/registry';
import { requestScoped, runAsUser } from './http/request-transaction';
import { changeRoutes } from './dialects/v2/changes';
import { webhookRoutes } from './dialects/v2/webhooks';
import { ChangeFeed } from './sync/feed';
import { WebhookService } from './sync/webhooks';
import { parseQueryString, rejectHostileUrl } from './http/hostile-input';
import { probeRoutes } from './http/probes';
import { shareReadRouting } from './db/replica';
import type { Invalidations } from './db/notify';
import { djangoCrmDocs } from './dialects/djangocrm';
import { djangoCrmApi } from './compose/djangocrm';

export interface AppDeps {
  knex: Knex;
  config: Pick<Config, 'bodyLimit' | 'maxLimit' | 'bulkMax' | 'idempotencyTtlMs' | 'attachmentsDir' | 'attachmentMaxBytes'> & {
    mail: { smtpConfigured: boolean; defaultFrom: string };
    login?: LoginThrottleOptions;
    /** Webhook targets on loopback and private networks (WEBHOOK_ALLOW_PRIVATE_TARGETS); default refused. */
    webhooks?: { allowPrivateTargets: boolean };
  } & Partial<Pick<Config, 'metricsToken' | 'djangocrm'>>;
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
  app.use(djangoCrmDocs());
  app.use(probeRoutes(knex));

  // The Django-CRM dialect (src/dialects/djangocrm): /api/auth, /api/accounts, /api/attachments.
  app.use('/api', djangoCrmApi({ knex, log, config, invalidations, basic: basicAuth(knex, undefined, config.login, invalidations) }));

  const api = express.Router();
  api.use(basicAuth(knex, undefined, config.login, invalidations));
  // Writes' transactions name the user, so the change feed records who changed what.
  api.use((req, _res, next) => (req.user ? runAsUser(req.user.id, next) : next()));
  api.use(bodyParsers(config.bodyLimit));
  api.use(idempotency(knex, config.idempotencyTtlMs));
  // Every v2 resource but accounts (src/dialects/v2/mount.ts), mounted before accounts' routes.
  const related = mountV2Resources(api, coreServices(knex, config), config.maxLimit);
  api.use('/v2/crm/accounts', accountRoutes(new AccountService(knex, config.maxLimit, invalidations), { bulkMax: config.bulkMax, ...related }));
  api.use('/v2/auth/tokens', tokenRoutes(knex));
  api.use('/v2/changes', changeRoutes(new ChangeFeed(knex), config.maxLimit));
  api.use('/v2/webhooks', webhookRoutes(new WebhookService(knex, config.webhooks?.allowPrivateTargets ?? false), { maxLimit: config.maxLimit }));
  app.use('/api', api);

  app.use(notFoundRoute);
  app.use(errorMiddleware(log));
  return app;
}

/** The core services of every v2 resource but accounts, over one knex (the composition root holds the database). */
function coreServices(knex: Knex, config: AppDeps['config']): V2Services {
  return {
    contacts: new ContactService(knex),
    invoices: new InvoiceService(knex),
    comments: new CommentService(knex),
    attachments: new AttachmentService(knex, new AttachmentStore(config.attachmentsDir), config.attachmentMaxBytes),
    emails: new EmailService(knex, config.mail),
    teams: new TeamService(knex),
    industries: new IndustryService(knex),
    currencies: new CurrencyService(knex),
    customFields: new CustomFieldService(knex),
    users: new UserService(knex),
  };
}
