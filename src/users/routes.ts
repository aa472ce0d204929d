import { NextFunction, Request, Response, Router } from 'express';
import { Knex } from 'knex';
import { requireJsonOrForm } from '../http/body';
import { ForbiddenError, HttpError, NotFoundError, ValidationError } from '../http/errors';
import { idParam } from '../http/params';
import { validateBody } from '../openapi/validator';
import { createUser, getUser, listUsers, PublicUser, Role, updateUser, UserInputError } from './service';

export function userJson(u: PublicUser) {
  return { id: u.id, email: u.email, name: u.name, role: u.role, is_active: u.is_active, created: new Date(u.created).toISOString() };
}

function adminsOnly(req: Request, _res: Response, next: NextFunction) {
  next(req.user!.role === 'admin' ? undefined : new ForbiddenError('only admins manage users'));
}

/** A UserInputError names its field: a taken e-mail is a 409, anything else a 400. */
function asHttp(e: unknown): unknown {
  if (!(e instanceof UserInputError)) return e;
  if (/already exists/.test(e.message)) return new HttpError(409, 'conflict', e.message, [{ field: e.field ?? 'email', message: e.message }]);
  return new ValidationError([{ field: e.field ?? '(body)', message: e.message }]);
}

/** `/api/v2/users`: the organisation's users, for its admins (the CLI's `user` commands over HTTP). */
export function userRoutes(knex: Knex): Router {
  const r = Router();
  r.use(adminsOnly);
  const inOrg = async (req: Request): Promise<PublicUser> => {
    const id = idParam(String(req.params.id));
    const u = await getUser(knex, id);
    if (!u || u.org_id !== req.user!.orgId) throw new NotFoundError('user', id);
    return u;
  };
  r.get('/', async (req, res) => {
    res.json((await listUsers(knex, req.user!.orgId)).map(userJson));
  });
  r.post('/', requireJsonOrForm, async (req, res) => {
    const input = validateBody('UserCreate', req.body, req.bodyFormat!);
    try {
      const u = await createUser(knex, {
        orgId: req.user!.orgId,
        email: String(input.email),
        password: String(input.password),
        role: input.role as Role | undefined,
        name: (input.name as string | null | undefined) ?? undefined,
      });
      res.status(201).json(userJson({ ...u, created: (await getUser(knex, u.id))!.created }));
    } catch (e) {
      throw asHttp(e);
    }
  });
  r.get('/:id', async (req, res) => {
    res.json(userJson(await inOrg(req)));
  });
  for (const method of ['put', 'post'] as const) {
    r[method]('/:id', requireJsonOrForm, async (req, res) => {
      const input = validateBody('UserUpdate', req.body, req.bodyFormat!);
      const u = await inOrg(req);
      // An admin who disables or demotes themselves could leave the organisation without one.
      if (u.id === req.user!.id && input.is_active === false) throw new ValidationError([{ field: 'is_active', message: 'you cannot disable yourself' }]);
      if (u.id === req.user!.id && input.role === 'user') throw new ValidationError([{ field: 'role', message: 'you cannot remove your own admin role' }]);
      try {
        const updated = await updateUser(knex, u.id, {
          password: input.password as string | undefined,
          isActive: input.is_active as boolean | undefined,
          role: input.role as Role | undefined,
          name: input.name as string | null | undefined,
        });
        res.json(userJson(updated!));
      } catch (e) {
        throw asHttp(e);
      }
    });
  }
  return r;
}
