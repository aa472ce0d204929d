import Ajv2020, { ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { loadDjangoCrmOpenApi } from '../../src/openapi/document';

/**
 * The Django-CRM facade's responses are checked against openapi-djangocrm.yaml (spec/support/conformance.ts
 * sends them here): the same rules as for openapi.yaml, with Django-CRM's trailing slash optional.
 */
type Schema = Record<string, unknown>;
type Operation = { responses: Record<string, Schema> };

export const DJANGOCRM_PATH = /^\/api\/(accounts|auth|attachments)(\/|$)/;

const { doc } = loadDjangoCrmOpenApi();
const ajv = new Ajv2020({ allErrors: true, strict: false, allowUnionTypes: true });
addFormats(ajv);
ajv.addSchema({ $id: 'djangocrm', components: doc.components } as object);

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
  let cur: unknown = doc;
  for (const p of ref.replace(/^#\//, '').split('/')) cur = (cur as Record<string, unknown>)[p];
  return resolve(cur as Schema);
}

const cache = new Map<string, ValidateFunction | null>();

/** A violation message for this response, or undefined when it matches the document. */
export function checkDjangoCrmResponse(method: string, rawPath: string, status: string, contentType: string, body: () => unknown): string | undefined {
  const path = rawPath.endsWith('/') ? rawPath : `${rawPath}/`;
  const route = routes.find((r) => r.regex.test(path));
  const op = route?.item[method.toLowerCase()];
  if (!route || !op) return ['404', '401'].includes(status) ? undefined : `${method} ${rawPath}: undocumented route answered ${status}`;
  const key = `${method} ${route.template} ${status}`;
  if (!cache.has(key)) {
    const response = op.responses[status];
    if (!response) return `${method} ${route.template}: status ${status} is not documented in openapi-djangocrm.yaml`;
    const schema = ((resolve(response).content ?? {}) as Record<string, { schema?: Schema }>)['application/json']?.schema;
    cache.set(key, schema ? ajv.compile(JSON.parse(JSON.stringify(schema).replace(/"#\/components\//g, '"djangocrm#/components/'))) : null);
  }
  const validate = cache.get(key);
  if (!validate) return undefined;
  if (!/application\/json/.test(contentType)) return `${method} ${route.template} ${status}: content type "${contentType}", documented application/json`;
  let parsed: unknown;
  try {
    parsed = body();
  } catch {
    return `${method} ${route.template} ${status}: body is not JSON`;
  }
  return validate(parsed) ? undefined : `${method} ${route.template} ${status}: ${ajv.errorsText(validate.errors)}`;
}
