import { DomainError, DomainErrorKind } from '../core/errors';
import { HttpError } from './errors';
import { inputErrorOf } from '../db/errors';

interface ErrorWithCode {
  code?: string;
  status?: number;
  type?: string;
  detail?: string;
}

const DB_UNREACHABLE = ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', '57P01', '57P03', '53300'];

/** The status of each kind of domain error (src/core/errors). */
const STATUS_OF: Record<DomainErrorKind, number> = {
  invalid: 400,
  not_found: 404,
  forbidden: 403,
  conflict: 409,
  precondition_failed: 412,
  too_large: 413,
  unsupported: 415,
};

/**
 * The kernel's half of error handling: what the core raises (by kind) and what libraries throw
 * (body-parser, pg, knex pool) as a status, a code, a message and details. How that is rendered is
 * each dialect's envelope (v2: src/dialects/v2/error-envelope.ts).
 */
/** Maps what the core raises and what libraries throw (body-parser, pg, knex pool) onto the API's error shape. */
export function toHttpError(err: unknown): HttpError | undefined {
  if (err instanceof HttpError) return err;
  if (err instanceof DomainError) return new HttpError(STATUS_OF[err.kind], err.code, err.message, err.details);
  const e = (err ?? {}) as ErrorWithCode;
  switch (e.type) {
    case 'entity.parse.failed':
      return new HttpError(400, 'malformed_json', `the request body is not valid JSON: ${(err as Error).message}`);
    case 'entity.too.large':
      return new HttpError(413, 'payload_too_large', 'the request body is larger than this server accepts');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new HttpError(415, 'unsupported_media_type', (err as Error).message);
    case 'request.aborted':
      return new HttpError(400, 'request_aborted', 'the client closed the connection before the body arrived');
  }
  if (e.code === '57014' || (err instanceof Error && /Query read timeout|timeout exceeded when trying to connect|Connection terminated due to connection timeout/.test(err.message))) {
    // statement_timeout, the client-side query timeout or the connect timeout (DB_STATEMENT_TIMEOUT_MS and friends).
    return new HttpError(503, 'database_timeout', 'the database did not answer in time; try again shortly', undefined, { 'Retry-After': '1' });
  }
  if (e.code && DB_UNREACHABLE.includes(e.code)) {
    return new HttpError(503, 'database_unavailable', 'the database is not reachable; try again shortly', undefined, { 'Retry-After': '1' });
  }
  if (err instanceof Error && /Knex: Timeout acquiring a connection|Connection terminated|is not queryable|terminating connection/.test(err.message)) {
    // The server went away under a query (a restart, a failover). Only a connection lost during COMMIT
    // leaves the outcome unknown: a retry with the same Idempotency-Key then replays or runs it once.
    return new HttpError(503, 'database_unavailable', 'the database is busy or not reachable; try again shortly', undefined, { 'Retry-After': '1' });
  }
  const input = inputErrorOf(err);
  if (input) return new HttpError(STATUS_OF[input.kind], input.code, input.message, input.details);
  // Other client errors raised by Express and its libraries (http-errors: a malformed percent-encoding
  // in a path parameter, a bad Content-Encoding, ...) keep their 4xx status.
  const status = e.status ?? (e as { statusCode?: number }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500 && err instanceof Error) {
    return new HttpError(status, status === 400 ? 'bad_request' : 'client_error', err.message.slice(0, 200));
  }
  return undefined;
}
