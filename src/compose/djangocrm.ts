import { Knex } from 'knex';
import { RequestHandler } from 'express';
import { checkCredentials } from '../auth/basic';
import { JwtIssuer } from '../auth/jwt';
import type { Invalidations } from '../db/notify';
import { AccountService } from '../domain/accounts/service';
import { AttachmentService } from '../domain/attachments/service';
import { AttachmentStore } from '../domain/attachments/store';
import { CommentService } from '../domain/comments/service';
import { ContactService } from '../domain/contacts/service';
import { loadDefinitions } from '../domain/custom-fields/repo';
import { Directory } from '../domain/directory/repo';
import { EmailService } from '../domain/emails/service';
import { Core } from '../dialects/djangocrm/core';
import { DJANGOCRM_DEFAULTS, DjangoCrmDeps, djangoCrmRoutes } from '../dialects/djangocrm';
import type { Logger } from 'pino';

export interface DjangoCrmComposition {
  knex: Knex;
  log: Logger;
  /** The kernel's Basic/API-token authentication, shared with the v2 routes. */
  basic: RequestHandler;
  config: DjangoCrmDeps['config'];
  invalidations?: Invalidations;
}

/** The Django-CRM dialect over the core's services, wired here so the dialect holds no database handle. */
export function djangoCrmApi({ knex, log, basic, config, invalidations }: DjangoCrmComposition) {
  const core = new Core({
    accounts: new AccountService(knex, config.maxLimit, invalidations),
    contacts: new ContactService(knex),
    comments: new CommentService(knex),
    attachments: new AttachmentService(knex, new AttachmentStore(config.attachmentsDir), config.attachmentMaxBytes),
    emails: new EmailService(knex, config.mail),
    directory: new Directory(knex),
    checkCredentials: (email, password) => checkCredentials(knex, email, password),
    definitions: (orgId) => loadDefinitions(knex, orgId, 'crm/accounts'),
    maxLimit: config.maxLimit,
    login: config.login,
  });
  const settings = config.djangocrm ?? DJANGOCRM_DEFAULTS;
  const jwt = new JwtIssuer(knex, { secret: settings.jwtSecret, accessTtlSeconds: settings.accessTtlSeconds, refreshTtlSeconds: settings.refreshTtlSeconds });
  return djangoCrmRoutes({ core, jwt, basic, log, config });
}
