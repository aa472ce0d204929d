import { Router } from 'express';
import { requireJsonOrForm } from '../../http/body';
import { idParam } from '../../http/params';
import { validateBody } from '../../openapi/validator';
import { checkAdmin } from '../../access/permissions';
import { ConflictError, ValidationError } from '../../core/errors';
import type { Role } from '../../core/caller';
import { PublicUser, UserInputError, UserService } from '../../domain/users/service';
import { USER_WIRE_ORDER } from '../../domain/users/fields';

/** A user in the v2 shape: catalogue order, `created` as a full ISO 8601 UTC timestamp. */
export function userJson(u: PublicUser): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of USER_WIRE_ORDER) out[k] = k === 'created' ? new Date(u.created).toISOString() : u[k as keyof PublicUser];
  return out;
}

/** A UserInputError names its field: a taken e-mail is a 409, anything else a 400. */
function asDomain(e: unknown): unknown {
  if (!(e instanceof UserInputError)) return e;
  if (/already exists/.test(e.message)) return new ConflictError(e.message, [{ field: e.field ?? 'email', message: e.message }]);
  return new ValidationError([{ field: e.field ?? '(body)', message: e.message }]);
}

/** `/api/v2/users`: the organisation's users, for its admins (the CLI's `user` commands over HTTP). */
export function userRoutes(service: UserService): Router {
  const r = Router();
  r.use((req, _res, next) => {
    try {
      checkAdmin(req.user!, 'only admins manage users');
      next();
    } catch (e) {
      next(e);
    }
  });
  r.get('/', async (req, res) => {
    res.json((await service.list(req.user!)).map(userJson));
  });
  r.post('/', requireJsonOrForm, async (req, res) => {
    const input = validateBody('UserCreate', req.body, req.bodyFormat!);
    try {
      const u = await service.create(req.user!, {
        email: String(input.email),
        password: String(input.password),
        role: input.role as Role | undefined,
        name: (input.name as string | null | undefined) ?? undefined,
      });
      res.status(201).json(userJson(u));
    } catch (e) {
      throw asDomain(e);
    }
  });
  r.get('/:id', async (req, res) => {
    res.json(userJson(await service.get(req.user!, idParam(String(req.params.id)))));
  });
  for (const method of ['put', 'post'] as const) {
    r[method]('/:id', requireJsonOrForm, async (req, res) => {
      const input = validateBody('UserUpdate', req.body, req.bodyFormat!);
      try {
        const u = await service.update(req.user!, idParam(String(req.params.id)), {
          password: input.password as string | undefined,
          isActive: input.is_active as boolean | undefined,
          role: input.role as Role | undefined,
          name: input.name as string | null | undefined,
        });
        res.json(userJson(u));
      } catch (e) {
        throw asDomain(e);
      }
    });
  }
  return r;
}
