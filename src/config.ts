import path from 'node:path';

/** Every setting the server reads; `loadConfig` is the only reader of process.env. */
export interface Config {
  port: number;
  host: string;
  /** PostgreSQL server URL; when absent the embedded PGlite under `dataDir` is used. */
  databaseUrl?: string;
  dataDir: string;
  adminEmail: string;
  /** When absent on first start, a random password is generated and logged once. */
  adminPassword?: string;
  logLevel: string;
  /** Largest accepted request body, in bytes. */
  bodyLimit: number;
  /** Largest accepted `_limit`. */
  maxLimit: number;
  /** Most operations in one `_bulk` request. */
  bulkMax: number;
  /** How long an Idempotency-Key is remembered. */
  idempotencyTtlMs: number;
}

export class ConfigError extends Error {}

function intFrom(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name} must be a whole number, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const logLevel = env.LOG_LEVEL || 'info';
  const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
  if (!levels.includes(logLevel)) throw new ConfigError(`LOG_LEVEL must be one of ${levels.join(', ')}, got "${logLevel}"`);
  return {
    port: intFrom(env, 'PORT', 3000, 0, 65535),
    host: env.HOST || '0.0.0.0',
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: path.resolve(env.DATA_DIR || './data'),
    adminEmail: (env.ADMIN_EMAIL || 'admin@example.com').trim().toLowerCase(),
    adminPassword: env.ADMIN_PASSWORD || undefined,
    logLevel,
    bodyLimit: intFrom(env, 'BODY_LIMIT', 1024 * 1024, 1024, 1024 * 1024 * 1024),
    maxLimit: intFrom(env, 'MAX_LIMIT', 10000, 1, 1_000_000),
    bulkMax: intFrom(env, 'BULK_MAX', 1000, 1, 100_000),
    idempotencyTtlMs: intFrom(env, 'IDEMPOTENCY_TTL_HOURS', 24, 1, 24 * 365) * 3600 * 1000,
  };
}
