import crypto from 'node:crypto';
import { NextFunction, Request, Response } from 'express';
import { Knex } from 'knex';
import { UnauthorizedError } from '../http/errors';
import { dummyPasswordHash, verifyPassword } from '../domain/users/password';
import { findUserByEmail } from '../domain/users/repo';
import type { Caller } from '../core/caller';
import { bearerToken, callerForToken, looksLikeToken } from './tokens';
import { onCredentialsChanged } from '../domain/users/credential-events';
import { LoginThrottle, LoginThrottleOptions } from './throttle';
import type { Invalidations } from '../db/notify';

/** Who is calling (src/core/caller), re-exported for the kernel's users. */
export type { Caller } from '../core/caller';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    // req.user (Express.User) is the Caller.
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface User extends Caller {}
    // Set by the auth middlewares below (passport's typing used to declare it).
    interface Request {
      user?: User;
    }
  }
}

/**
 * Verified credentials are remembered for a short time, keyed by an HMAC of "email:password" under a
 * per-process random key: scrypt costs ~30 ms by design, and a sync job sends the same header on
 * every request. Only successes are cached; nothing stored reveals the password.
 */
class CredentialCache {
  private readonly key = crypto.randomBytes(32);
  private readonly entries = new Map<string, { caller: Caller; expires: number }>();
  constructor(private readonly ttlMs: number, private readonly maxEntries = 10000) {}

  digest(email: string, password: string): string {
    return crypto.createHmac('sha256', this.key).update(`${email}\u0000${password}`).digest('base64');
  }
  get(digest: string): Caller | undefined {
    const hit = this.entries.get(digest);
    if (!hit) return undefined;
    if (hit.expires < Date.now()) {
      this.entries.delete(digest);
      return undefined;
    }
    return hit.caller;
  }
  clear() {
    this.entries.clear();
  }
  set(digest: string, caller: Caller) {
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(digest, { caller, expires: Date.now() + this.ttlMs });
  }
  /** A password change, disable or enable counts from the next request (src/domain/users/credential-events.ts). */
  forgetUser(userId: number) {
    for (const [digest, hit] of this.entries) if (hit.caller.id === userId) this.entries.delete(digest);
  }
}

/**
 * The e-mail and password of an `Authorization: Basic` header (RFC 7617: the user id ends at the first
 * colon, the password is the rest), or undefined when there is none or either part is empty. Decoded
 * here rather than by passport-http, whose `new Buffer()` ran Node's deprecation check (a stack walk)
 * on every request.
 */
export function basicCredentials(header: string | undefined): { email: string; password: string } | undefined {
  if (!header) return undefined;
  const space = header.indexOf(' ');
  if (space < 0 || header.slice(0, space).toLowerCase() !== 'basic') return undefined;
  const decoded = Buffer.from(header.slice(space + 1).trim(), 'base64').toString();
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const email = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  return email && password ? { email, password } : undefined;
}

export async function checkCredentials(knex: Knex, email: string, password: string): Promise<Caller | undefined> {
  const user = await findUserByEmail(knex, email);
  // Unknown users cost one scrypt too, so response time does not tell which e-mails exist.
  const ok = await verifyPassword(password, user?.password_hash ?? (await dummyPasswordHash()));
  if (!user || !ok || !user.is_active) return undefined;
  return { id: user.id, orgId: user.org_id, role: user.role, email: user.email };
}

/** HTTP Basic on every /api route; failures are a JSON 401 with `WWW-Authenticate`. */
export function basicAuth(knex: Knex, cacheTtlMs = 60_000, throttleOptions?: LoginThrottleOptions, invalidations?: Invalidations) {
  const cache = new CredentialCache(cacheTtlMs);
  // This process changed a user: forget its entries at once. Another process changed one: entries are
  // keyed by a digest, not by user, so the NOTIFY (db/notify.ts) forgets them all.
  onCredentialsChanged((userId) => cache.forgetUser(userId));
  invalidations?.onUsers(() => cache.clear());
  const throttle = new LoginThrottle(throttleOptions);
  const checkPassword = (ip: string, email: string, password: string, done: (err: unknown, caller?: Caller | false) => void) => {
    const digest = cache.digest(email.toLowerCase(), password);
    const cached = cache.get(digest);
    if (cached) return done(null, cached);
    // Only what is not cached is throttled (see throttle.ts): a sync job's verified login is never slowed.
    const account = email.toLowerCase();
    throttle
      .admit(ip, account)
      .then(() => throttle.hashing(() => checkCredentials(knex, email, password)))
      .then(async (caller) => {
        if (caller) {
          cache.set(digest, caller);
          await throttle.succeeded(account);
        } else await throttle.failed(ip, account);
        done(null, caller ?? false);
      })
      .catch((err: unknown) => done(err));
  };
  const verify = (req: Request, email: string, password: string, done: (err: unknown, user?: Caller | false) => void) => {
    // PostgreSQL text cannot hold a NUL: such credentials can match no user, so they are a plain 401.
    if (email.includes('\0') || password.includes('\0')) return done(null, false);
    const ip = req.socket.remoteAddress ?? 'unknown';
    // An API token also works as the password of its owner's e-mail (unchanged v2 scripts); tokens
    // are looked up on every request, never cached, so a revocation counts at once.
    if (!looksLikeToken(password)) return checkPassword(ip, email, password, done);
    callerForToken(knex, password, email).then(
      (caller) => (caller ? done(null, caller) : checkPassword(ip, email, password, done)),
      (err) => done(err),
    );
  };
  return (req: Request, _res: Response, next: NextFunction) => {
    const token = bearerToken(req.headers.authorization);
    if (token !== undefined) {
      callerForToken(knex, token).then((caller) => {
        if (!caller) return next(new UnauthorizedError());
        req.user = caller;
        next();
      }, next);
      return;
    }
    const credentials = basicCredentials(req.headers.authorization);
    if (!credentials) return next(new UnauthorizedError());
    verify(req, credentials.email, credentials.password, (err: unknown, caller?: Caller | false) => {
      if (err) return next(err);
      if (!caller) return next(new UnauthorizedError());
      req.user = caller;
      next();
    });
  };
}
