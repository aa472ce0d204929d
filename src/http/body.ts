import express, { NextFunction, Request, Response } from 'express';
import qs from 'qs';
import { HttpError } from './errors';

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
 */
export function bodyParsers(limit: number) {
  const json = express.json({ limit, type: JSON_TYPES, strict: false });
  const form = express.text({ limit, type: FORM_TYPE });
  return [
    (req: Request, _res: Response, next: NextFunction) => {
      if (!['POST', 'PUT', 'PATCH'].includes(req.method) || !hasBody(req)) {
        req.bodyFormat = 'none';
        return next();
      }
      if (req.is(JSON_TYPES)) {
        req.bodyFormat = 'json';
        return json(req, _res, next);
      }
      if (req.is(FORM_TYPE)) {
        req.bodyFormat = 'form';
        return form(req, _res, (err?: unknown) => {
          if (err) return next(err);
          const text = typeof req.body === 'string' ? req.body : '';
          try {
            if (/^\s*[{[]/.test(text)) {
              req.body = parseJsonText(text);
              req.bodyFormat = 'json';
            } else {
              req.body = qs.parse(text, { depth: 2, parameterLimit: 1000, allowPrototypes: false });
            }
            next();
          } catch (e) {
            next(e);
          }
        });
      }
      // Multipart and other types are accepted only by the routes that declare them.
      next();
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
