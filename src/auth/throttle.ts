import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { HttpError } from '../http/errors';

export interface LoginThrottleOptions {
  /** Failed logins from one client address per minute before it must wait (LOGIN_FAILS_PER_IP). */
  failsPerIpPerMinute: number;
  /** Failed logins for one e-mail per 15 minutes before it must wait (LOGIN_FAILS_PER_ACCOUNT). */
  failsPerAccountPer15Min: number;
  /** Password hashes computed at once; more wait in line (LOGIN_HASH_CONCURRENCY). */
  hashConcurrency: number;
  /** Logins waiting for a hash slot before new ones get a 503 (4 × the concurrency × 16). */
  hashQueue?: number;
}

export const DEFAULT_LOGIN_THROTTLE: LoginThrottleOptions = { failsPerIpPerMinute: 30, failsPerAccountPer15Min: 10, hashConcurrency: 2 };

function tooMany(seconds: number, what: string): HttpError {
  const s = Math.max(1, Math.ceil(seconds));
  return new HttpError(429, 'too_many_login_failures', `too many failed logins ${what}; retry in ${s} s`, undefined, { 'Retry-After': String(s) });
}

/**
 * Guards the password check, the one costly thing an anonymous client can make the server do
 * (scrypt, ~30-75 ms of CPU each). Failed logins are counted per client address and per e-mail
 * (rate-limiter-flexible, in memory, per process); past either limit a login is refused with a 429
 * and Retry-After *before* any hash is computed. At most `hashConcurrency` hashes run at once, so a
 * flood cannot take every core. Credentials already verified and cached never get here.
 */
export class LoginThrottle {
  private readonly perIp: RateLimiterMemory;
  private readonly perAccount: RateLimiterMemory;
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly opts: LoginThrottleOptions = DEFAULT_LOGIN_THROTTLE) {
    this.perIp = new RateLimiterMemory({ keyPrefix: 'ip', points: opts.failsPerIpPerMinute, duration: 60 });
    this.perAccount = new RateLimiterMemory({ keyPrefix: 'acct', points: opts.failsPerAccountPer15Min, duration: 900 });
  }

  /** Throws the 429 when this address or this e-mail has used up its failures. */
  async admit(ip: string, email: string): Promise<void> {
    const [byIp, byAccount] = await Promise.all([this.perIp.get(ip), this.perAccount.get(email)]);
    if (byIp && byIp.consumedPoints >= this.opts.failsPerIpPerMinute) throw tooMany(byIp.msBeforeNext / 1000, 'from this address');
    if (byAccount && byAccount.consumedPoints >= this.opts.failsPerAccountPer15Min) throw tooMany(byAccount.msBeforeNext / 1000, 'for this account');
  }

  async failed(ip: string, email: string): Promise<void> {
    // consume() rejects with a RateLimiterRes once the points are gone: that is the expected outcome here.
    const swallow = (e: unknown) => {
      if (!(e instanceof RateLimiterRes)) throw e;
    };
    await Promise.all([this.perIp.consume(ip).catch(swallow), this.perAccount.consume(email).catch(swallow)]);
  }

  async succeeded(email: string): Promise<void> {
    await this.perAccount.delete(email);
  }

  /** Runs `check` when a hash slot is free; a full line is a 503, so waiting stays bounded. */
  async hashing<T>(check: () => Promise<T>): Promise<T> {
    if (this.running >= this.opts.hashConcurrency) {
      if (this.waiting.length >= (this.opts.hashQueue ?? this.opts.hashConcurrency * 64)) {
        throw new HttpError(503, 'login_busy', 'too many logins are being checked right now; retry shortly', undefined, { 'Retry-After': '1' });
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else this.running++;
    try {
      return await check();
    } finally {
      const nextInLine = this.waiting.shift();
      // The slot passes straight to the next in line; otherwise it is freed.
      if (nextInLine) nextInLine();
      else this.running--;
    }
  }
}
