import { Router } from 'express';
import { Knex } from 'knex';
import { requireJsonOrForm } from '../http/body';
import { ForbiddenError, NotFoundError } from '../http/errors';
import { idParam } from '../http/params';
import { validateBody } from '../openapi/validator';
import { createToken, listTokens, revokeToken, TokenRow } from './tokens';

/** The wire shape of a token: never its hash; the token itself only in the create response. */
export function tokenJson(row: TokenRow) {
  const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
  return { id: row.id, name: row.name, prefix: row.prefix, created: iso(row.created), expires_at: iso(row.expires_at), last_used_at: iso(row.last_used_at) };
}

/** `/api/v2/auth/tokens`: the caller's own API tokens. */
export function tokenRoutes(knex: Knex): Router {
  const r = Router();
  r.get('/', async (req, res) => {
    res.json((await listTokens(knex, req.user!.id)).map(tokenJson));
  });
  r.post('/', requireJsonOrForm, async (req, res) => {
    // A leaked token must not be able to mint itself successors that outlive its revocation.
    if (req.user!.tokenId !== undefined) throw new ForbiddenError('an API token cannot create tokens: authenticate with your password');
    const input = validateBody('TokenCreate', req.body, req.bodyFormat!);
    const { token, row } = await createToken(knex, req.user!.id, {
      name: String(input.name).trim(),
      expiresInDays: input.expires_in_days as number | null | undefined,
    });
    res.status(201).json({ ...tokenJson(row), token });
  });
  r.delete('/:id', async (req, res) => {
    const id = idParam(String(req.params.id));
    if (!(await revokeToken(knex, req.user!.id, id))) throw new NotFoundError('token', id);
    res.status(204).end();
  });
  return r;
}
