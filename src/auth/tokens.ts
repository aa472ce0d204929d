import crypto from 'node:crypto';
import { Knex } from 'knex';
import type { Caller } from '../core/caller';

/**
 * API tokens: `v2crm_` and 32 random bytes (base64url). Only the SHA-256 of a token is stored: the
 * token has 256 bits of entropy, so a fast hash is enough (no salt or slow KDF is needed, unlike a
 * password), and a lookup by hash is one indexed query per request, which is why tokens are not
 * cached and a revocation counts from the very next request.
 */
export const TOKEN_PREFIX = 'v2crm_';
const TOKEN_SHAPE = /^v2crm_[A-Za-z0-9_-]{43}$/;
/** last_used_at is written at most once a minute per token: a sync job must not turn reads into writes. */
const TOUCH_EVERY_MS = 60_000;

export interface TokenRow {
  id: number;
  user_id: number;
  name: string;
  prefix: string;
  created: Date;
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token, 'utf8').digest('hex');
}

export function looksLikeToken(secret: string): boolean {
  return TOKEN_SHAPE.test(secret);
}

/** The token is returned once, here; the database keeps its hash. */
export async function createToken(
  knex: Knex,
  userId: number,
  input: { name: string; expiresInDays?: number | null },
): Promise<{ token: string; row: TokenRow }> {
  const token = TOKEN_PREFIX + crypto.randomBytes(32).toString('base64url');
  const expiresAt = input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 86_400_000) : null;
  const [row] = await knex('api_tokens')
    .insert({ user_id: userId, name: input.name, prefix: token.slice(0, TOKEN_PREFIX.length + 6), token_hash: hashToken(token), expires_at: expiresAt })
    .returning(['id', 'user_id', 'name', 'prefix', 'created', 'expires_at', 'last_used_at', 'revoked_at']);
  return { token, row };
}

/** The user's tokens that are not revoked (expired ones included, so they can be seen and revoked). */
export async function listTokens(knex: Knex, userId: number): Promise<TokenRow[]> {
  return knex('api_tokens')
    .where({ user_id: userId })
    .whereNull('revoked_at')
    .orderBy('id')
    .select('id', 'user_id', 'name', 'prefix', 'created', 'expires_at', 'last_used_at', 'revoked_at');
}

/** Revokes one of the user's tokens; false when it is not theirs or already revoked. */
export async function revokeToken(knex: Knex, userId: number, tokenId: number): Promise<boolean> {
  const n = await knex('api_tokens').where({ id: tokenId, user_id: userId }).whereNull('revoked_at').update({ revoked_at: knex.fn.now() });
  return n > 0;
}

const lastTouched = new Map<number, number>();

/**
 * The caller a token stands for: unknown, revoked, expired tokens and tokens of disabled users are
 * undefined. With HTTP Basic, `email` must be the owner's, so a token is never a password for
 * someone else.
 */
export async function callerForToken(knex: Knex, token: string, email?: string): Promise<Caller | undefined> {
  if (!looksLikeToken(token)) return undefined;
  const row = (await knex('api_tokens as t')
    .join('users as u', 'u.id', 't.user_id')
    .where('t.token_hash', hashToken(token))
    .whereNull('t.revoked_at')
    .where((q) => q.whereNull('t.expires_at').orWhere('t.expires_at', '>', knex.fn.now()))
    .where('u.is_active', true)
    .first('t.id as token_id', 'u.id', 'u.org_id', 'u.role', 'u.email')) as
    | { token_id: number; id: number; org_id: number; role: Caller['role']; email: string }
    | undefined;
  if (!row) return undefined;
  if (email !== undefined && email.trim().toLowerCase() !== row.email.toLowerCase()) return undefined;
  const now = Date.now();
  if ((lastTouched.get(row.token_id) ?? 0) + TOUCH_EVERY_MS <= now) {
    if (lastTouched.size > 10_000) lastTouched.clear();
    lastTouched.set(row.token_id, now);
    await knex('api_tokens').where({ id: row.token_id }).update({ last_used_at: knex.fn.now() });
  }
  return { id: row.id, orgId: row.org_id, role: row.role, email: row.email, tokenId: row.token_id };
}

/** `Authorization: Bearer <token>`: the token, or undefined for any other scheme. */
export function bearerToken(header: string | undefined): string | undefined {
  const m = header ? /^Bearer +(\S+) *$/i.exec(header) : null;
  return m ? m[1] : undefined;
}
