import { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { toHttpError } from '../../http/error-middleware';
import { wireFieldName } from './fields';

/**
 * Django-CRM's error envelopes (DJANGO-CRM.md 10.12), not v2's `{"error": {"code"}}`:
 * validation 400 `{"error": true, "errors": {field: [msg]}}`; permission 403 `{"error": true, "errors": "<text>"}`;
 * auth 401/403 `{"detail": ...}`; 404 `{"detail": "Not found."}`; filter parameter 400 `{"<param>": [msg]}`.
 */
export class DjangoError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof body.detail === 'string' ? body.detail : `HTTP ${status}`);
  }
}

export const NOT_AUTHENTICATED = 'Authentication credentials were not provided.';

export const unauthenticated = (detail = NOT_AUTHENTICATED) => new DjangoError(401, { detail }, { 'WWW-Authenticate': 'Bearer realm="api"' });
export const notFound = () => new DjangoError(404, { detail: 'Not found.' });
export const forbidden = (text: string) => new DjangoError(403, { error: true, errors: text });
/** A body field problem, in the create/update envelope. */
export const invalid = (errors: Record<string, string[]>) => new DjangoError(400, { error: true, errors });
/** A query parameter problem, in DRF's bare shape. */
export const badParam = (param: string, message: string) => new DjangoError(400, { [param]: [message] });

/** The dialect's own error middleware: everything the core or the kernel raises, in Django-CRM's shapes. */
export function djangoErrorMiddleware(log: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const out = toDjangoError(err);
    if (!out) log.error({ err, method: req.method, url: req.originalUrl }, 'unhandled error');
    const e = out ?? new DjangoError(500, { detail: 'A server error occurred.' });
    if (res.headersSent) {
      res.destroy();
      return;
    }
    for (const [k, v] of Object.entries(e.headers)) res.setHeader(k, v);
    res.status(e.status).json(e.body);
  };
}

export function toDjangoError(err: unknown): DjangoError | undefined {
  if (err instanceof DjangoError) return err;
  const h = toHttpError(err);
  if (!h) return undefined;
  const headers = h.headers ?? {};
  switch (h.status) {
    case 401:
      return unauthenticated();
    case 403:
      return forbidden(h.message);
    case 404:
      return notFound();
    case 413:
      // Django-CRM answers an over-large upload with a 400 naming the file field.
      return new DjangoError(400, { error: true, errors: { attachment: ['Files must be 25 MB or smaller.'] } });
    case 415:
      return new DjangoError(415, { detail: `Unsupported media type "${'' + (h.message.match(/"([^"]*)"/)?.[1] ?? '')}" in request.` });
  }
  if (h.status === 400 && h.code === 'malformed_json') return new DjangoError(400, { detail: `JSON parse error - ${h.message.replace(/^the request body is not valid JSON: /, '')}` });
  if (h.status === 400 || h.status === 409 || h.status === 412) {
    const errors: Record<string, string[]> = {};
    for (const d of h.details ?? []) {
      const field = wireFieldName(d.field);
      (errors[field] ??= []).push(d.message);
    }
    if (!Object.keys(errors).length) errors.non_field_errors = [h.message];
    return new DjangoError(400, { error: true, errors }, headers);
  }
  return new DjangoError(h.status, { detail: h.message }, headers);
}
