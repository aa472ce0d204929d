import { NextFunction, Request, Response } from 'express';
import qs from 'qs';
import { HttpError } from './errors';
import { checkBody, QUERY_MAX_PARAMS } from './hostile-input';
import { readTextBody } from './read-body';

export type BodyFormat = 'json' | 'form' | 'none';

declare module 'express-serve-static-core' {
  interface Request {
    /** How the body arrived: form values are strings and get coerced by field type. */
    bodyFormat?: BodyFormat;
  }
}

const JSON_TYPES = ['application/json', 'application/*+json'];
const FORM_TYPE = 'application/x-www-form-urlencoded';

function hasBody(req: Request): boolean {
  const len = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (len !== undefined && len !== '0');
}

function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new HttpError(400, 'malformed_json', `the request body is not valid JSON: ${(e as Error).message}`);
  }
}

/**
 * JSON and form bodies for the write routes, with the size limit.
 * A form-typed body that is a JSON object is read as JSON: `curl -d '{...}'` without a
 * Content-Type header sends exactly that, and legacy scripts do it.
 * Read by readTextBody (not body-parser): it stops reading at the limit, and answers a body that does
 * not match its Content-Encoding with a 400. Every parsed body is checked for NULs and depth.
 */
export function bodyParsers(limit: number) {
  return [
    (req: Request, res: Response, next: NextFunction) => {
      if (!['POST', 'PUT', 'PATCH'].includes(req.method) || !hasBody(req)) {
        req.bodyFormat = 'none';
        return next();
      }
      const isJson = Boolean(req.is(JSON_TYPES));
      if (!isJson && !req.is(FORM_TYPE)) {
        // Multipart and other types are accepted only by the routes that declare them.
        return next();
      }
      req.bodyFormat = isJson ? 'json' : 'form';
      readTextBody(req, res, limit).then((text) => {
        try {
          if (isJson || /^\s*[{[]/.test(text)) {
            req.body = text.trim() === '' ? {} : parseJsonText(text);
            req.bodyFormat = 'json';
          } else {
            req.body = qs.parse(text, { depth: 2, parameterLimit: QUERY_MAX_PARAMS, allowPrototypes: false });
          }
          checkBody(req.body);
          next();
        } catch (e) {
          next(e);
        }
      }, next);
    },
  ];
}

/** For JSON-or-form write routes: anything else is a 415 that says what is accepted. */
export function requireJsonOrForm(req: Request, _res: Response, next: NextFunction) {
  if (req.bodyFormat === 'none' || req.bodyFormat === 'json' || req.bodyFormat === 'form') return next();
  next(
    new HttpError(
      415,
      'unsupported_media_type',
      `Content-Type "${req.headers['content-type'] ?? ''}" is not accepted here; send application/json or application/x-www-form-urlencoded`,
    ),
  );
}
