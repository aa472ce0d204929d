import { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { HttpError } from '../../http/errors';
import { toHttpError } from '../../http/error-middleware';

/**
 * The v2 error envelope: `{"error": {"code", "message", "details"?}}` with the status the kernel
 * maps (src/http/error-middleware.ts). Mounted last on the app, so it also renders the kernel's own
 * refusals (401, 413, 415, idempotency) raised before any route: v2 is the API's default dialect.
 * Another dialect mounts its own envelope on its router, which then answers for its routes.
 */
export function errorMiddleware(log: Logger) {
  // Express recognises error handlers by their four parameters.
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const httpErr = toHttpError(err);
    if (!httpErr) {
      log.error({ err, method: req.method, url: req.originalUrl }, 'unhandled error');
    }
    const out = httpErr ?? new HttpError(500, 'internal_error', 'the server failed to handle the request; it has been logged');
    if (res.headersSent) {
      // Mid-stream failure: cut the connection so the client sees a broken response, never a short valid one.
      res.destroy();
      return;
    }
    for (const [k, v] of Object.entries(out.headers ?? {})) res.setHeader(k, v);
    const body: Record<string, unknown> = { code: out.code, message: out.message };
    if (out.details) body.details = out.details;
    res.status(out.status).json({ error: body });
  };
}

export function notFoundRoute(req: Request, _res: Response, next: NextFunction) {
  next(new HttpError(404, 'route_not_found', `no route for ${req.method} ${req.path}`));
}
