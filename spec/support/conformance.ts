import { NextFunction, Request, Response } from 'express';
import { loadDjangoCrmOpenApi, loadOpenApi } from '../../src/openapi/document';
import { ResponseDocument } from './response-document';

/**
 * Test-only middleware: every JSON response the suite provokes is checked against the schema that
 * its dialect's document (openapi.yaml, or openapi-djangocrm.yaml for the Django-CRM facade) gives for
 * its path, method and status, so the documents cannot drift from the code. Violations are collected;
 * makeTestApp's close() fails the spec file when there are any.
 */
// One pair per jest worker (environment.js), not per spec file: a checker's compiled schemas depend
// only on the documents, which do not change during a run.
const memo = (globalThis as { v2crmWorkerMemo?: <T>(key: string, make: () => T) => T }).v2crmWorkerMemo ?? ((_key, make) => make());
const V2 = memo('conformance v2', () => new ResponseDocument(loadOpenApi().doc, 'doc'));
const DJANGOCRM = memo('conformance djangocrm', () => new ResponseDocument(loadDjangoCrmOpenApi().doc, 'djangocrm', { trailingSlash: true, name: 'openapi-djangocrm.yaml' }));
const DJANGOCRM_PATH = /^\/api\/(accounts|auth|attachments)(\/|$)/;

export const violations: string[] = [];

export function conformanceRecorder(req: Request, res: Response, next: NextFunction) {
  const chunks: Buffer[] = [];
  const write = res.write.bind(res) as (...a: unknown[]) => boolean;
  const end = res.end.bind(res) as (...a: unknown[]) => Response;
  res.write = ((chunk: unknown, ...rest: unknown[]) => {
    if (chunk) chunks.push(Buffer.from(chunk as string));
    return write(chunk, ...rest);
  }) as Response['write'];
  res.end = ((chunk?: unknown, ...rest: unknown[]) => {
    if (chunk && typeof chunk !== 'function') chunks.push(Buffer.from(chunk as string));
    return end(chunk, ...rest);
  }) as Response['end'];
  res.on('finish', () => {
    const path = req.originalUrl.split('?')[0];
    // The contract covers the API; /docs and /health are pages for people and probes.
    if (!path.startsWith('/api/')) return;
    const doc = DJANGOCRM_PATH.test(path) ? DJANGOCRM : V2;
    const v = doc.check(req.method, path, String(res.statusCode), String(res.getHeader('content-type') ?? ''), () => JSON.parse(Buffer.concat(chunks).toString('utf8')));
    if (v) violations.push(v);
  });
  next();
}
