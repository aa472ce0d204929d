import Ajv2020, { ErrorObject, ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { ErrorDetail, ValidationError } from '../http/errors';
import { BodyFormat } from '../http/body';
import { loadOpenApi } from './document';

const DOC_ID = 'openapi.yaml';

function makeAjv(coerce: boolean) {
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true, strictRequired: false, coerceTypes: coerce, useDefaults: false });
  addFormats(ajv);
  // OpenAPI's own annotation keywords inside schemas.
  ajv.addVocabulary(['example', 'discriminator', 'xml', 'externalDocs', 'components']);
  const { doc } = loadOpenApi();
  ajv.addSchema({ $id: DOC_ID, components: { schemas: doc.components.schemas } } as object);
  return ajv;
}

let jsonAjv: Ajv2020 | undefined;
let formAjv: Ajv2020 | undefined;
const compiled = new Map<string, ValidateFunction>();

function validatorFor(schemaName: string, format: BodyFormat): ValidateFunction {
  const key = `${format}:${schemaName}`;
  let fn = compiled.get(key);
  if (!fn) {
    const ajv = format === 'form' ? (formAjv ??= makeAjv(true)) : (jsonAjv ??= makeAjv(false));
    fn = ajv.compile({ $ref: `${DOC_ID}#/components/schemas/${schemaName}` });
    compiled.set(key, fn);
  }
  return fn;
}

function fieldOf(e: ErrorObject): string {
  // "/lines/0/quantity" → "lines[0].quantity": the same notation the services use.
  const base = e.instancePath
    .replace(/^\//, '')
    .split('/')
    .filter(Boolean)
    .map((seg) => seg.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, seg) => (/^\d+$/.test(seg) ? `${acc}[${seg}]` : acc ? `${acc}.${seg}` : seg), '');
  const extra =
    (e.params as { missingProperty?: string }).missingProperty ??
    (e.params as { unevaluatedProperty?: string }).unevaluatedProperty ??
    (e.params as { additionalProperty?: string }).additionalProperty;
  if (extra) return base ? `${base}.${extra}` : extra;
  return base || '(body)';
}

function messageOf(e: ErrorObject): string {
  switch (e.keyword) {
    case 'required':
      return 'is required';
    case 'unevaluatedProperties':
    case 'additionalProperties':
      return 'is not a known field';
    case 'minLength':
      return (e.params as { limit: number }).limit === 1 ? 'must not be empty' : e.message ?? 'is too short';
    case 'pattern':
      return (e.params as { pattern: string }).pattern === '\\S' ? 'must not be blank' : `must match ${(e.params as { pattern: string }).pattern}`;
    case 'type':
      return `must be ${String((e.params as { type: string | string[] }).type).replace(',', ' or ')}`;
    default:
      return e.message ?? 'is invalid';
  }
}

/** One detail per field: ajv's several errors about one input read better as its first. */
export function toDetails(errors: ErrorObject[]): ErrorDetail[] {
  const seen = new Map<string, ErrorDetail>();
  for (const e of errors) {
    const field = fieldOf(e);
    if (!seen.has(field)) seen.set(field, { field, message: messageOf(e) });
  }
  return [...seen.values()];
}

/**
 * Form bodies carry only strings: "" means null, and PHP's true/false arrive as "1"/"0".
 * `booleanFields` are the schema's boolean properties.
 */
function normaliseForm(body: Record<string, unknown>, booleanFields: ReadonlySet<string>) {
  for (const [k, v] of Object.entries(body)) {
    if (v === '') body[k] = null;
    else if (booleanFields.has(k) && typeof v === 'string') {
      const t = v.toLowerCase();
      if (t === '1' || t === 'on' || t === 'yes') body[k] = true;
      else if (t === '0' || t === 'off' || t === 'no') body[k] = false;
    }
  }
}

/**
 * JSON bodies: PHP's `json_encode` of an int and other scripts' strings stand for booleans too:
 * `1`/`0` and `"true"`/`"false"` (any case) in a boolean field become `true`/`false`. Anything else
 * (`2`, `"yes"`) stays as sent and fails validation naming the field. Responses always send JSON
 * booleans.
 */
export function lenientJsonBoolean(v: unknown): unknown {
  if (v === 1 || v === 0) return v === 1;
  if (typeof v === 'string') {
    const t = v.toLowerCase();
    if (t === 'true' || t === 'false') return t === 'true';
  }
  return v;
}

function normaliseJsonBooleans(body: Record<string, unknown>, booleanFields: ReadonlySet<string>) {
  for (const k of booleanFields) if (k in body) body[k] = lenientJsonBoolean(body[k]);
}

/** Boolean properties of a component schema, following allOf and $ref within components. */
function booleanPropertiesOf(schemaName: string): Set<string> {
  const { doc } = loadOpenApi();
  const out = new Set<string>();
  const visit = (s: Record<string, unknown> | undefined) => {
    if (!s) return;
    if (typeof s.$ref === 'string') visit(doc.components.schemas[s.$ref.split('/').pop()!]);
    for (const sub of (s.allOf as Record<string, unknown>[] | undefined) ?? []) visit(sub);
    for (const [k, p] of Object.entries((s.properties as Record<string, Record<string, unknown>>) ?? {})) {
      const t = p.type;
      if (t === 'boolean' || (Array.isArray(t) && t.includes('boolean'))) out.add(k);
    }
  };
  visit(doc.components.schemas[schemaName]);
  return out;
}
const booleanCache = new Map<string, Set<string>>();

/** Validates a request body against `components.schemas[schemaName]` of openapi.yaml. */
export function validateBody(schemaName: string, body: unknown, format: BodyFormat): Record<string, unknown> {
  if (format === 'none' || body === undefined) body = {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ValidationError([{ field: '(body)', message: 'must be a JSON object' }]);
  }
  const obj = body as Record<string, unknown>;
  let booleans = booleanCache.get(schemaName);
  if (!booleans) booleanCache.set(schemaName, (booleans = booleanPropertiesOf(schemaName)));
  if (format === 'form') normaliseForm(obj, booleans);
  else normaliseJsonBooleans(obj, booleans);
  const validate = validatorFor(schemaName, format);
  if (!validate(obj)) throw new ValidationError(toDetails(validate.errors ?? []));
  return obj;
}
