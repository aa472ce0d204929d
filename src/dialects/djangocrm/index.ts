import { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import type { Logger } from 'pino';
import type { LoginThrottleOptions } from '../../auth/throttle';
import type { DjangoCrmConfig } from '../../config';
import { bodyParsers } from '../../http/body';
import { runAsUser } from '../../http/request-transaction';
import { accountRoutes, attachmentRoutes } from './accounts';
import { authenticate, authRoutes, orgHeaders } from './auth';
import { Core } from './core';
import { djangoErrorMiddleware, notFound } from './errors';
import { JwtIssuer } from '../../auth/jwt';
import { loadDjangoCrmOpenApi } from '../../openapi/document';

export interface DjangoCrmDeps {
  core: Core;
  jwt: JwtIssuer;
  /** The kernel's Basic/API-token authentication (src/auth/basic.ts), for non-JWT credentials. */
  basic: RequestHandler;
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
}

export const DJANGOCRM_DEFAULTS: DjangoCrmConfig = { accessTtlSeconds: 3600, refreshTtlSeconds: 14 * 86400 };

/**
 * The Django-CRM dialect (DJANGO-CRM.md), mounted at `/api`: `/api/auth/...`, `/api/accounts/...` and
 * `/api/attachments/...`. Paths answer with or without their trailing slash. Anything else under
 * `/api` falls through to the v2 routes.
 */
export function djangoCrmRoutes({ core, jwt, basic, log, config }: DjangoCrmDeps): Router {
  // Writes' transactions name the user, so the change feed records who changed what (as on v2).
  const asUser = (req: Request, _res: Response, next: NextFunction) => (req.user ? runAsUser(req.user.id, next) : next());
  const authOnly = authenticate(core, jwt, basic);
  const auth = [authOnly, asUser];
  const parse = bodyParsers(config.bodyLimit);
  const errors = djangoErrorMiddleware(log);
  const none = (_req: Request, _res: Response, next: NextFunction) => next(notFound());

  const r = Router();
  r.use('/auth', parse, authRoutes(core, jwt, authOnly), none, errors);
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
