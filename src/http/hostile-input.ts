import { NextFunction, Request, Response } from 'express';
import { HttpError, ValidationError } from './errors';

/** Most query-string parameters a request may carry; past it, a 400 (never silently dropped). */
export const QUERY_MAX_PARAMS = 1000;
/** Deepest nesting of arrays and objects a JSON or form body may have. */
export const BODY_MAX_DEPTH = 32;

/**
 * A NUL anywhere in the path or query string is a 400 that names where: PostgreSQL text cannot hold
 * it, so it would otherwise surface as a database error. Also counts query parameters (see
 * QUERY_MAX_PARAMS): Express's own parser silently kept the first 1000 and dropped filters after it.
 */
export function rejectHostileUrl(req: Request, _res: Response, next: NextFunction) {
  const url = req.originalUrl;
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  if (/%00/i.test(path) || path.includes('\0')) {
    return next(new ValidationError([{ field: 'path', message: 'must not contain a NUL character (%00)' }]));
  }
  if (q >= 0) {
    const params = url.slice(q + 1).split('&').filter((p) => p !== '');
    if (params.length > QUERY_MAX_PARAMS) {
      return next(new HttpError(400, 'too_many_parameters', `at most ${QUERY_MAX_PARAMS} query parameters are accepted, got ${params.length}`, [
        { field: 'query', message: `must have at most ${QUERY_MAX_PARAMS} parameters` },
      ]));
    }
    for (const p of params) {
      if (!/%00|\0/i.test(p)) continue;
      const name = safeDecode(p.split('=')[0]).replace(/\0/g, '\\0');
      return next(new ValidationError([{ field: name, message: 'must not contain a NUL character (%00)' }]));
    }
  }
  next();
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

/** Express's query parser without its silent 1000-key cut (the count is checked by rejectHostileUrl). */
export { parse as parseQueryString } from 'node:querystring';

/**
 * Walks a parsed body once, without recursion (so any depth is safe to inspect): a NUL in a key or
 * string is a 400 naming the field's path, and nesting deeper than BODY_MAX_DEPTH a 400.
 */
export function checkBody(body: unknown): void {
  const stack: { v: unknown; path: string; depth: number }[] = [{ v: body, path: '', depth: 0 }];
  while (stack.length) {
    const { v, path, depth } = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes('\0')) throw new ValidationError([{ field: path || 'body', message: 'must not contain a NUL character (\\u0000)' }]);
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth >= BODY_MAX_DEPTH) {
      throw new ValidationError([{ field: path || 'body', message: `is nested deeper than ${BODY_MAX_DEPTH} levels` }]);
    }
    for (const [k, child] of Object.entries(v)) {
      const p = Array.isArray(v) ? `${path}[${k}]` : path ? `${path}.${k}` : k;
      if (k.includes('\0')) throw new ValidationError([{ field: p.replace(/\0/g, '\\0'), message: 'a key must not contain a NUL character (\\u0000)' }]);
      stack.push({ v: child, path: p, depth: depth + 1 });
    }
  }
}
