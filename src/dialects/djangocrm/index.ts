import { NextFunction, Request, Response, Router } from 'express';
import { Knex } from 'knex';
import type { Logger } from 'pino';
import { basicAuth } from '../../auth/basic';
import type { LoginThrottleOptions } from '../../auth/throttle';
import type { DjangoCrmConfig } from '../../config';
import type { Invalidations } from '../../db/notify';
import { bodyParsers } from '../../http/body';
import { accountRoutes, attachmentRoutes } from './accounts';
import { authenticate, authRoutes, orgHeaders } from './auth';
import { Core } from './core';
import { djangoErrorMiddleware, notFound } from './errors';
import { JwtIssuer } from './jwt';
import { loadDjangoCrmOpenApi } from '../../openapi/document';

export interface DjangoCrmDeps {
  knex: Knex;
  log: Logger;
  config: {
    bodyLimit: number;
    maxLimit: number;
    attachmentsDir: string;
    attachmentMaxBytes: number;
    mail: { smtpConfigured: boolean; defaultFrom: string };
    login?: LoginThrottleOptions;
    djangocrm?: DjangoCrmConfig;
  };
  invalidations?: Invalidations;
}

export const DJANGOCRM_DEFAULTS: DjangoCrmConfig = { accessTtlSeconds: 3600, refreshTtlSeconds: 14 * 86400 };

/**
 * The Django-CRM dialect (DJANGO-CRM.md), mounted at `/api`: `/api/auth/...`, `/api/accounts/...` and
 * `/api/attachments/...`. Paths answer with or without their trailing slash. Anything else under
 * `/api` falls through to the v2 routes.
 */
export function djangoCrmRoutes({ knex, log, config, invalidations }: DjangoCrmDeps): Router {
  const core = new Core(knex, { ...config, invalidations });
  const settings = config.djangocrm ?? DJANGOCRM_DEFAULTS;
  const jwt = new JwtIssuer(knex, { secret: settings.jwtSecret, accessTtlSeconds: settings.accessTtlSeconds, refreshTtlSeconds: settings.refreshTtlSeconds });
  const auth = authenticate(core, jwt, basicAuth(knex, undefined, config.login, invalidations));
  const parse = bodyParsers(config.bodyLimit);
  const errors = djangoErrorMiddleware(log);
  const none = (_req: Request, _res: Response, next: NextFunction) => next(notFound());

  const r = Router();
  r.use('/auth', parse, authRoutes(core, jwt, auth), none, errors);
  r.use('/accounts', auth, orgHeaders, parse, accountRoutes(core, { attachmentMaxBytes: config.attachmentMaxBytes }), none, errors);
  r.use('/attachments', auth, orgHeaders, attachmentRoutes(core), none, errors);
  return r;
}

/** `GET /docs/djangocrm/openapi.yaml`: the facade's OpenAPI document (openapi-djangocrm.yaml), no auth, like /docs. */
export function djangoCrmDocs(): Router {
  const r = Router();
  r.get('/docs/djangocrm/openapi.yaml', (_req, res) => {
    res.type('application/yaml').send(loadDjangoCrmOpenApi().text);
  });
  return r;
}
