import { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import { Core, UserInfo } from './core';
import { DjangoError, toDjangoError, unauthenticated } from './errors';
import { decodeId, encodeId, uuidHex } from './ids';
import { JwtIssuer, looksLikeJwt } from '../../auth/jwt';
import { profile } from './serialize';

/**
 * Who is calling, for every facade route (DJANGO-CRM.md 1, 2, 10.3, 10.4): `Authorization: Bearer
 * <access JWT>`; otherwise v2crm's own schemes (HTTP Basic, an API token as Bearer) through the v2
 * kernel's middleware. Then the organisation headers, honoured only when they name the caller's org.
 */
export function authenticate(core: Core, jwt: JwtIssuer, v2Auth: RequestHandler): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const header = req.headers.authorization;
    if (!header) return next(unauthenticated());
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
    if (bearer !== undefined && looksLikeJwt(bearer)) {
      const claims = await jwt.verify(bearer, 'access');
      if (!claims) return next(new DjangoError(401, { detail: 'Given token not valid for any token type', code: 'token_not_valid' }, { 'WWW-Authenticate': 'Bearer realm="api"' }));
      const user = await core.user(claims.userId);
      if (!user || !user.isActive || user.orgId !== claims.orgId) return next(unauthenticated('User not found'));
      req.user = { id: user.id, orgId: claims.orgId, role: user.role, email: user.email };
      return next();
    }
    // Refused credentials are Django-CRM's 401; anything else (429 throttled, 503 database) keeps its status.
    v2Auth(req, res, (err?: unknown) => (err ? next(toDjangoError(err)?.status === 401 ? unauthenticated() : err) : next()));
  };
}

const ORG_HEADERS = ['org', 'x-organization-id', 'organization-id'];

/** `org`, `X-Organization-ID`, `organization-id`: optional; when sent they must name the caller's org (else 403). */
export function orgHeaders(req: Request, _res: Response, next: NextFunction) {
  for (const h of ORG_HEADERS) {
    const raw = req.headers[h];
    if (raw === undefined) continue;
    const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    if (decodeId('org', value) !== req.user!.orgId) {
      return next(new DjangoError(403, { detail: 'You do not have permission to access this organization.' }));
    }
  }
  next();
}

function field(body: unknown, name: string): unknown {
  return body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>)[name] : undefined;
}

function requiredString(body: unknown, name: string, errors: Record<string, string[]>): string | undefined {
  const v = field(body, name);
  if (v === undefined || v === null || v === '') errors[name] = ['This field is required.'];
  else if (typeof v !== 'string' || v.length > 1024 || v.includes('\u0000')) errors[name] = ['Not a valid string.'];
  else return v;
  return undefined;
}

/** The org a login or switch names: undefined when not sent; 400 when not a UUID; 403 when not the user's. */
function chosenOrg(body: unknown, user: UserInfo): number | undefined {
  const raw = field(body, 'org_id');
  if (raw === undefined || raw === null || raw === '') return undefined;
  if (typeof raw !== 'string' || uuidHex(raw) === undefined) throw new DjangoError(400, { org_id: ['Must be a valid UUID.'] });
  if (decodeId('org', raw) !== user.orgId) throw new DjangoError(403, { detail: 'You are not a member of this organization.' });
  return user.orgId;
}

/** `/api/auth/...`: login, refresh-token, me, switch-org, logout. */
export function authRoutes(core: Core, jwt: JwtIssuer, requireAuth: RequestHandler): Router {
  const r = Router();

  const me = async (user: UserInfo) => {
    const orgs = await core.orgsOf(user);
    return {
      id: encodeId('profile', user.id),
      email: user.email,
      profile_pic: null,
      is_active: user.isActive,
      organizations: orgs.map((o) => ({ id: encodeId('org', o.id), name: o.name, role: o.role === 'admin' ? 'ADMIN' : 'USER' })),
    };
  };

  r.post('/login', async (req, res) => {
    const errors: Record<string, string[]> = {};
    const email = requiredString(req.body, 'email', errors);
    const password = requiredString(req.body, 'password', errors);
    if (Object.keys(errors).length) throw new DjangoError(400, errors);
    const caller = await core.login(req.socket.remoteAddress ?? 'unknown', email!, password!);
    if (!caller) throw new DjangoError(400, { non_field_errors: ['Invalid email or password'] });
    const user = (await core.user(caller.id))!;
    const orgId = chosenOrg(req.body, user) ?? user.orgId;
    const org = (await core.org(orgId))!;
    const tokens = await jwt.issuePair(user.id, orgId);
    res.json({
      access_token: tokens.access,
      refresh_token: tokens.refresh,
      user: await me(user),
      current_org: { id: encodeId('org', org.id), name: org.name },
      // CL22's shape, additively.
      error: false,
      tokens: { email: user.email, access_token: tokens.access, refresh_token: tokens.refresh },
    });
  });

  r.post('/refresh-token', async (req, res) => {
    const raw = field(req.body, 'refresh');
    if (raw === undefined || raw === null || raw === '') throw new DjangoError(400, { refresh: ['This field is required.'] });
    const claims = typeof raw === 'string' ? await jwt.verify(raw, 'refresh') : undefined;
    const user = claims && (await core.user(claims.userId));
    if (!claims || !user || !user.isActive || user.orgId !== claims.orgId || !(await jwt.revoke(claims))) {
      throw new DjangoError(401, { detail: 'Token is invalid or expired', code: 'token_not_valid' });
    }
    const tokens = await jwt.issuePair(user.id, claims.orgId);
    res.json({ access: tokens.access, refresh: tokens.refresh });
  });

  r.post('/logout', async (req, res) => {
    const raw = field(req.body, 'refresh');
    if (raw === undefined || raw === null || raw === '') throw new DjangoError(400, { refresh: ['This field is required.'] });
    const claims = typeof raw === 'string' ? await jwt.verify(raw, 'refresh') : undefined;
    if (claims) await jwt.revoke(claims);
    res.json({ detail: 'Successfully logged out.' });
  });

  r.get('/me', requireAuth, async (req, res) => {
    res.json(await me((await core.user(req.user!.id))!));
  });

  r.post('/switch-org', requireAuth, async (req, res) => {
    const user = (await core.user(req.user!.id))!;
    const orgId = chosenOrg(req.body, user);
    if (orgId === undefined) throw new DjangoError(400, { org_id: ['This field is required.'] });
    const refresh = field(req.body, 'refresh');
    if (typeof refresh === 'string' && refresh !== '') {
      const claims = await jwt.verify(refresh, 'refresh');
      if (claims && claims.userId === user.id) await jwt.revoke(claims);
    }
    const org = (await core.org(orgId))!;
    const tokens = await jwt.issuePair(user.id, orgId);
    res.json({
      access_token: tokens.access,
      refresh_token: tokens.refresh,
      current_org: { id: encodeId('org', org.id), name: org.name },
      profile: profile(user),
    });
  });
  return r;
}
