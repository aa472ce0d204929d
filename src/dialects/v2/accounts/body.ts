import type { BodyFormat } from '../../../http/body';
import { ValidationError } from '../../../core/errors';
import { lenientJsonBoolean, validateBody } from '../../../openapi/validator';
import { READ_ONLY } from '../../../domain/accounts/fields';
import type { AccountInput, BulkOperation, RecordReader } from '../../../domain/accounts/types';
import { expectedVersion } from '../etag';

/**
 * v2 bodies → the core's typed input. JSON bodies are typed already (the core checks them). Form
 * bodies (PHP's http_build_query) and CSV cells are text: they are typed here by the field types of
 * openapi.yaml's schema (`""` is null, `1`/`on`/`yes` a boolean, `12` a number), and custom fields
 * by their definitions, so the core never sees an encoding.
 */
function typedForm(schema: string, body: unknown): AccountInput {
  try {
    return validateBody(schema, body, 'form');
  } catch (e) {
    if (e instanceof ValidationError && e.details) {
      throw new ValidationError(e.details.map((d) => (READ_ONLY.has(d.field) ? { field: d.field, message: 'is read-only' } : d)));
    }
    throw e;
  }
}

const TRUE = ['1', 'true', 'on', 'yes'];
const FALSE = ['0', 'false', 'off', 'no'];

/** Text values of custom fields typed by their definitions; what cannot be typed stays text for the core to refuse. */
export function typedCustomFieldText(raw: Record<string, unknown>, defs: ReadonlyMap<string, { type: string }>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    const type = defs.get(key)?.type;
    out[key] = value;
    if (typeof value !== 'string' || type === undefined) continue;
    if (value === '') out[key] = null;
    else if (type === 'boolean' && TRUE.includes(value.toLowerCase())) out[key] = true;
    else if (type === 'boolean' && FALSE.includes(value.toLowerCase())) out[key] = false;
    else if ((type === 'integer' || type === 'decimal') && /^-?\d+(\.\d+)?$/.test(value)) out[key] = Number(value);
  }
  return out;
}

/**
 * v2's JSON leniency for boolean custom fields (1/0 and "true"/"false" are booleans), as for every
 * other resource's body (src/dialects/v2/custom-fields.ts): the core checks typed values only.
 */
export function lenientCustomFields(raw: Record<string, unknown>, defs: ReadonlyMap<string, { type: string }>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) out[key] = defs.get(key)?.type === 'boolean' ? lenientJsonBoolean(value) : value;
  return out;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A create or update body as typed input. `customFieldTypes` is asked only for a form body that
 * sets custom fields (their types come from the organisation's definitions).
 */
export async function accountInput(
  schema: 'AccountCreate' | 'AccountUpdate',
  body: unknown,
  format: BodyFormat | undefined,
  customFieldTypes: () => Promise<ReadonlyMap<string, { type: string }>>,
): Promise<AccountInput> {
  if (format === 'none' || body === undefined) return {};
  if (format !== 'form') {
    // A JSON body that is not an object (`null`, a list, a number) goes on as it is: the schema check
    // answers it with a 400 naming the body.
    if (!isObject(body)) return body as AccountInput;
    const input = body as AccountInput;
    return isObject(input.custom_fields) ? { ...input, custom_fields: lenientCustomFields(input.custom_fields, await customFieldTypes()) } : input;
  }
  const input = typedForm(schema, body);
  if (isObject(input.custom_fields)) input.custom_fields = typedCustomFieldText(input.custom_fields, await customFieldTypes());
  return input;
}

/**
 * `POST /_bulk`: the envelope checked (openapi.yaml's AccountBulk), each operation's If-Match read,
 * its custom fields' JSON booleans read leniently (definitions asked only when some operation sets one).
 */
export async function bulkOperations(
  body: unknown,
  format: BodyFormat | undefined,
  customFieldTypes: () => Promise<ReadonlyMap<string, { type: string }>>,
): Promise<BulkOperation[]> {
  const input = validateBody('AccountBulk', body, format ?? 'json');
  const ops = input.operations as { action: BulkOperation['action']; id?: number; external_id?: string; if_match?: string; data: AccountInput }[];
  let defs: ReadonlyMap<string, { type: string }> | undefined;
  const out: BulkOperation[] = [];
  for (const { if_match, ...op } of ops) {
    if (op.data && isObject(op.data.custom_fields)) {
      defs ??= await customFieldTypes();
      op.data = { ...op.data, custom_fields: lenientCustomFields(op.data.custom_fields, defs) };
    }
    out.push({ ...op, expected: expectedVersion(if_match) });
  }
  return out;
}

/** How an import of a v2 dump (JSON) or a CSV file types its records: CSV cells are text, like a form. */
export function v2RecordReader(format: 'json' | 'csv'): RecordReader {
  if (format === 'json') return { read: (data) => data, customFields: lenientCustomFields };
  return { read: (data) => typedForm('AccountUpdate', data), customFields: (raw, defs) => lenientCustomFields(typedCustomFieldText(raw, defs), defs) };
}
