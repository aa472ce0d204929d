import Ajv2020, { ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { NextFunction, Request, Response } from 'express';
import { loadOpenApi } from '../../src/openapi/document';
import { checkDjangoCrmResponse, DJANGOCRM_PATH } from '../djangocrm/conformance';

/**
 * Test-only middleware: every JSON response the suite provokes is checked against the schema that
 * openapi.yaml documents for its path, method and status, so the document cannot drift from the
 * code. Violations are collected; makeTestApp's close() fails the spec file when there are any.
 */
type Schema = Record<string, unknown>;
interface Operation {
  responses: Record<string, Schema>;
}

const { doc } = loadOpenApi();
const ajv = new Ajv2020({ allErrors: true, strict: false, allowUnionTypes: true });
addFormats(ajv);
ajv.addSchema({ $id: 'doc', components: doc.components } as object);

// Literal paths before templated ones (`/accounts/_bulk` before `/accounts/{id}`), as a router does.
const routes = Object.entries(doc.paths)
  .map(([template, item]) => ({
    template,
    regex: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
    item: item as Record<string, Operation>,
    params: (template.match(/\{/g) ?? []).length,
  }))
  .sort((a, b) => a.params - b.params);

function resolve(obj: Schema): Schema {
  const ref = obj.$ref;
  if (typeof ref !== 'string') return obj;
  const parts = ref.replace(/^#\//, '').split('/');
  let cur: unknown = doc;
  for (const p of parts) cur = (cur as Record<string, unknown>)[p];
  return resolve(cur as Schema);
}

const cache = new Map<string, ValidateFunction | null>();

function validatorFor(template: string, method: string, status: string, op: Operation): ValidateFunction | null | undefined {
  const key = `${method} ${template} ${status}`;
  if (cache.has(key)) return cache.get(key);
  const response = op.responses[status] ?? op.responses[`${status[0]}XX`];
  if (!response) return undefined;
  const content = (resolve(response).content ?? {}) as Record<string, { schema?: Schema }>;
  const schema = content['application/json']?.schema;
  const fn = schema ? ajv.compile(rewrite(schema)) : null;
  cache.set(key, fn);
  return fn;
}

/** `#/components/...` refs inside a path's schema point into the registered document. */
function rewrite(schema: unknown): Schema {
  return JSON.parse(JSON.stringify(schema).replace(/"#\/components\//g, '"doc#/components/'));
}

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
    // The Django-CRM facade has its own document, openapi-djangocrm.yaml.
    if (DJANGOCRM_PATH.test(path)) {
      const v = checkDjangoCrmResponse(req.method, path, String(res.statusCode), String(res.getHeader('content-type') ?? ''), () => JSON.parse(Buffer.concat(chunks).toString('utf8')));
      if (v) violations.push(v);
      return;
    }
    const method = req.method.toLowerCase();
    const status = String(res.statusCode);
    const route = routes.find((r) => r.regex.test(path));
    const op = route?.item[method];
    if (!route || !op) {
      // Unknown routes must answer the documented JSON 404 (or 401 before auth); nothing else.
      if (!['404', '401'].includes(status)) violations.push(`${req.method} ${path}: undocumented route answered ${status}`);
      return;
    }
    const validate = validatorFor(route.template, method, status, op);
    if (validate === undefined) {
      violations.push(`${req.method} ${route.template}: status ${status} is not documented`);
      return;
    }
    if (validate === null) return;
    if (!/application\/json/.test(String(res.getHeader('content-type') ?? ''))) {
      violations.push(`${req.method} ${route.template} ${status}: content type "${res.getHeader('content-type') ?? ''}", documented application/json`);
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      violations.push(`${req.method} ${route.template} ${status}: body is not JSON`);
      return;
    }
    if (!validate(body)) {
      violations.push(`${req.method} ${route.template} ${status}: ${ajv.errorsText(validate.errors)}`);
    }
  });
  next();
}
