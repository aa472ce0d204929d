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
  /** Where uploaded attachments are stored (default `<DATA_DIR>/attachments`). */
  attachmentsDir: string;
  /** Largest accepted attachment, in bytes. */
  attachmentMaxBytes: number;
  mail: MailConfig;
  webhooks: WebhookConfig;
  /** Lets non-loopback clients read /metrics with `Authorization: Bearer <token>`; loopback needs none. */
  metricsToken?: string;
  /** How long SIGTERM waits for in-flight requests (SHUTDOWN_GRACE_SECONDS). */
  shutdownGraceMs: number;
  /** Failed-login throttling and the bound on concurrent password hashes (src/auth/throttle.ts). */
  login: { failsPerIpPerMinute: number; failsPerAccountPer15Min: number; hashConcurrency: number };
  /** PostgreSQL statement_timeout and pool acquire timeout; past either a request is a 503. */
  dbTimeouts: { statementMs: number; acquireMs: number };
  /** PGlite: fsync every commit before acknowledging it (PGLITE_FSYNC=on|off). */
  pgliteFsync: boolean;
  scale: ScaleConfig;
  /** The Django-CRM dialect's JWTs (src/dialects/djangocrm). */
  djangocrm: DjangoCrmConfig;
}

export interface DjangoCrmConfig {
  /** HS256 signing secret (JWT_SECRET); when unset, one is generated on first start and kept in the database. */
  jwtSecret?: string;
  /** Access token lifetime (JWT_ACCESS_TTL_SECONDS, default 1 h) and refresh token lifetime (JWT_REFRESH_TTL_SECONDS, default 14 d). */
  accessTtlSeconds: number;
  refreshTtlSeconds: number;
}

/** Running as more than one process, behind PgBouncer, with a read replica (docs/scaling.md). */
export interface ScaleConfig {
  /** Apply pending migrations on start (default); false: refuse to serve until `v2crm migrate` ran. */
  migrateOnStart: boolean;
  /** Worker processes of `serve` on one port (node:cluster); 1 = no cluster. */
  webConcurrency: number;
  /** A direct (not pooled) connection for LISTEN; default DATABASE_URL. Set it when DATABASE_URL is PgBouncer. */
  databaseDirectUrl?: string;
  /** A hot standby for reads that tolerate lag (lists, exports, history). */
  databaseReplicaUrl?: string;
  /** Connections per process in the knex pool. */
  poolMax: number;
  /**
   * Hot reads as named prepared statements (DATABASE_PREPARED_STATEMENTS=on|off). Default on, and off
   * when DATABASE_DIRECT_URL is set: that says DATABASE_URL is a pooler, and PgBouncer before 1.21 in
   * transaction mode loses named statements between transactions.
   */
  preparedStatements: boolean;
}

export interface MailConfig {
  /** Absent when SMTP_HOST is not set: e-mails then stay queued. */
  smtp?: { host: string; port: number; secure: boolean; user?: string; password?: string };
  /** Sender when a request names none. */
  defaultFrom: string;
  /** How often the worker looks for due mail. */
  pollMs: number;
  /** Attempts before a mail is marked failed. */
  maxAttempts: number;
  /** First retry delay; it doubles with each attempt. */
  retryBaseMs: number;
}

/** Webhook delivery (docs/sync.md). */
export interface WebhookConfig {
  /** Targets on loopback and private networks are refused unless this is true (WEBHOOK_ALLOW_PRIVATE_TARGETS). */
  allowPrivateTargets: boolean;
  /** How often the worker looks for due deliveries. */
  pollMs: number;
  /** Attempts before a delivery is failed and its webhook disabled. */
  maxAttempts: number;
  /** First retry delay; it doubles with each attempt up to retryMaxMs. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** Per delivery. */
  timeoutMs: number;
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
    attachmentsDir: path.resolve(env.ATTACHMENTS_DIR || path.join(env.DATA_DIR || './data', 'attachments')),
    attachmentMaxBytes: intFrom(env, 'ATTACHMENT_MAX_MB', 25, 1, 10_240) * 1024 * 1024,
    mail: mailConfig(env),
    webhooks: {
      allowPrivateTargets: onOff(env, 'WEBHOOK_ALLOW_PRIVATE_TARGETS', false),
      pollMs: intFrom(env, 'WEBHOOK_POLL_MS', 1000, 10, 3_600_000),
      maxAttempts: intFrom(env, 'WEBHOOK_MAX_ATTEMPTS', 12, 1, 100),
      retryBaseMs: intFrom(env, 'WEBHOOK_RETRY_SECONDS', 30, 1, 86400) * 1000,
      retryMaxMs: intFrom(env, 'WEBHOOK_RETRY_MAX_SECONDS', 3600, 1, 7 * 86400) * 1000,
      timeoutMs: intFrom(env, 'WEBHOOK_TIMEOUT_SECONDS', 10, 1, 300) * 1000,
    },
    metricsToken: metricsToken(env),
    shutdownGraceMs: intFrom(env, 'SHUTDOWN_GRACE_SECONDS', 10, 0, 3600) * 1000,
    login: {
      failsPerIpPerMinute: intFrom(env, 'LOGIN_FAILS_PER_IP', 30, 1, 1_000_000),
      failsPerAccountPer15Min: intFrom(env, 'LOGIN_FAILS_PER_ACCOUNT', 10, 1, 1_000_000),
      hashConcurrency: intFrom(env, 'LOGIN_HASH_CONCURRENCY', 2, 1, 256),
    },
    dbTimeouts: {
      statementMs: intFrom(env, 'DB_STATEMENT_TIMEOUT_MS', 30000, 100, 3_600_000),
      acquireMs: intFrom(env, 'DB_ACQUIRE_TIMEOUT_MS', 10000, 100, 600_000),
    },
    pgliteFsync: onOff(env, 'PGLITE_FSYNC', true),
    scale: scaleConfig(env),
    djangocrm: djangoCrmConfig(env),
  };
}

function djangoCrmConfig(env: NodeJS.ProcessEnv): DjangoCrmConfig {
  const secret = env.JWT_SECRET || undefined;
  if (secret !== undefined && secret.length < 32) throw new ConfigError('JWT_SECRET must be at least 32 characters');
  return {
    jwtSecret: secret,
    accessTtlSeconds: intFrom(env, 'JWT_ACCESS_TTL_SECONDS', 3600, 10, 30 * 86400),
    refreshTtlSeconds: intFrom(env, 'JWT_REFRESH_TTL_SECONDS', 14 * 86400, 60, 365 * 86400),
  };
}

function scaleConfig(env: NodeJS.ProcessEnv): ScaleConfig {
  const migrate = (env.MIGRATE_ON_START || 'true').toLowerCase();
  if (!['true', 'false', '1', '0'].includes(migrate)) throw new ConfigError(`MIGRATE_ON_START must be true or false, got "${env.MIGRATE_ON_START}"`);
  const direct = env.DATABASE_DIRECT_URL || undefined;
  const replica = env.DATABASE_REPLICA_URL || undefined;
  if ((direct || replica) && !env.DATABASE_URL) {
    throw new ConfigError(`${direct ? 'DATABASE_DIRECT_URL' : 'DATABASE_REPLICA_URL'} needs DATABASE_URL (the embedded PGlite is one process)`);
  }
  const webConcurrency = intFrom(env, 'WEB_CONCURRENCY', 1, 1, 256);
  if (webConcurrency > 1 && !env.DATABASE_URL) {
    throw new ConfigError('WEB_CONCURRENCY above 1 needs DATABASE_URL: the embedded PGlite serves one process');
  }
  return {
    migrateOnStart: migrate === 'true' || migrate === '1',
    webConcurrency,
    databaseDirectUrl: direct,
    databaseReplicaUrl: replica,
    poolMax: intFrom(env, 'DATABASE_POOL_MAX', 10, 1, 1000),
    preparedStatements: onOff(env, 'DATABASE_PREPARED_STATEMENTS', direct === undefined),
  };
}

function onOff(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = (env[name] ?? '').trim().toLowerCase();
  if (raw === '') return fallback;
  if (['on', 'true', '1'].includes(raw)) return true;
  if (['off', 'false', '0'].includes(raw)) return false;
  throw new ConfigError(`${name} must be on or off, got "${env[name]}"`);
}

function mailConfig(env: NodeJS.ProcessEnv): MailConfig {
  const secure = (env.SMTP_SECURE || 'false').toLowerCase();
  if (!['true', 'false', '1', '0'].includes(secure)) throw new ConfigError(`SMTP_SECURE must be true or false, got "${env.SMTP_SECURE}"`);
  const isSecure = secure === 'true' || secure === '1';
  return {
    smtp: env.SMTP_HOST
      ? {
          host: env.SMTP_HOST,
          port: intFrom(env, 'SMTP_PORT', isSecure ? 465 : 587, 1, 65535),
          secure: isSecure,
          user: env.SMTP_USER || undefined,
          password: env.SMTP_PASSWORD || undefined,
        }
      : undefined,
    defaultFrom: env.MAIL_FROM || 'v2crm@localhost',
    pollMs: intFrom(env, 'MAIL_POLL_SECONDS', 5, 1, 3600) * 1000,
    maxAttempts: intFrom(env, 'MAIL_MAX_ATTEMPTS', 6, 1, 100),
    retryBaseMs: intFrom(env, 'MAIL_RETRY_SECONDS', 60, 1, 86400) * 1000,
  };
}

function metricsToken(env: NodeJS.ProcessEnv): string | undefined {
  const token = env.METRICS_TOKEN || undefined;
  if (token !== undefined && (token.length < 16 || /\s/.test(token))) throw new ConfigError('METRICS_TOKEN must be at least 16 characters without spaces');
  return token;
}
