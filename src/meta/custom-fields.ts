import { Knex } from 'knex';
import { CUSTOM_FIELD_TYPES, CustomFieldDefinition, CustomFieldType } from '../query/catalogue';
import { ErrorDetail, ValidationError } from '../http/errors';
import { BodyFormat } from '../http/body';
import { lenientJsonBoolean } from '../openapi/validator';

/** Models that carry custom fields, as they appear in `/api/v2/meta/<module>/<model>`. */
export const CUSTOM_FIELD_MODELS = ['crm/accounts', 'crm/contacts'] as const;
export type CustomFieldModel = (typeof CUSTOM_FIELD_MODELS)[number];

export async function loadDefinitions(
  knex: Knex,
  orgId: number,
  model: CustomFieldModel,
): Promise<Map<string, CustomFieldDefinition>> {
  const rows = await knex('custom_field_definitions').where({ org_id: orgId, model }).orderBy('id');
  return new Map(rows.map((r) => [r.key, { key: r.key, type: r.type, label: r.label, choices: r.choices ?? null }]));
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/;

function validDate(s: string): boolean {
  const d = new Date(`${s.slice(0, 10)}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s.slice(0, 10);
}

/** A value for a field of `type`, or an error message. Form bodies send strings: coerce them. */
function coerce(type: CustomFieldType, value: unknown, format: BodyFormat): { value: unknown } | { error: string } {
  if (format === 'form' && typeof value === 'string' && type !== 'string') {
    if (type === 'boolean') {
      const t = value.toLowerCase();
      if (['1', 'true', 'on', 'yes'].includes(t)) value = true;
      else if (['0', 'false', 'off', 'no'].includes(t)) value = false;
    } else if ((type === 'integer' || type === 'decimal') && /^-?\d+(\.\d+)?$/.test(value)) {
      value = Number(value);
    }
  }
  // JSON bodies too: 1/0 and "true"/"false" are booleans (see lenientJsonBoolean).
  if (type === 'boolean' && format !== 'form') value = lenientJsonBoolean(value);
  switch (type) {
    case 'string':
      if (typeof value !== 'string') return { error: 'must be a string' };
      if (value.length > 65535) return { error: 'must have at most 65535 characters' };
      return { value };
    case 'boolean':
      return typeof value === 'boolean' ? { value } : { error: 'must be a boolean (true or false)' };
    case 'integer':
      return typeof value === 'number' && Number.isSafeInteger(value) ? { value } : { error: 'must be an integer' };
    case 'decimal':
      return typeof value === 'number' && Number.isFinite(value) ? { value } : { error: 'must be a number' };
    case 'date':
      return typeof value === 'string' && DATE.test(value) && validDate(value)
        ? { value }
        : { error: 'must be a date (YYYY-MM-DD)' };
    case 'datetime': {
      if (typeof value !== 'string' || !DATETIME.test(value) || !validDate(value)) {
        return { error: 'must be an ISO 8601 datetime (YYYY-MM-DDTHH:MM:SS)' };
      }
      const d = new Date(/(Z|[+-]\d{2}:\d{2})$/.test(value) ? value : `${value}Z`);
      if (Number.isNaN(d.getTime())) return { error: 'must be an ISO 8601 datetime (YYYY-MM-DDTHH:MM:SS)' };
      return { value: d.toISOString().slice(0, 19) };
    }
  }
}

/**
 * Checks a `custom_fields` object from a request against the organisation's definitions.
 * Unknown keys, wrong types and values outside `choices` are 400s naming `custom_fields.<key>`.
 * `null` clears a field.
 */
export function validateCustomFields(
  input: unknown,
  defs: ReadonlyMap<string, CustomFieldDefinition>,
  format: BodyFormat,
): Record<string, unknown> {
  if (input === null || input === undefined) return {};
  if (typeof input !== 'object' || Array.isArray(input)) {
    throw new ValidationError([{ field: 'custom_fields', message: 'must be an object of field_N: value' }]);
  }
  const out: Record<string, unknown> = {};
  const details: ErrorDetail[] = [];
  for (const [key, raw] of Object.entries(input as Record<string, unknown>)) {
    const field = `custom_fields.${key}`;
    const def = defs.get(key);
    if (!def) {
      const known = [...defs.keys()];
      details.push({ field, message: `is not a custom field of this model; known: ${known.length ? known.join(', ') : '(none defined)'}` });
      continue;
    }
    if (raw === null || (format === 'form' && raw === '')) {
      out[key] = null;
      continue;
    }
    const r = coerce(def.type, raw, format);
    if ('error' in r) {
      details.push({ field, message: r.error });
      continue;
    }
    if (def.choices && def.choices.length > 0 && !def.choices.some((c) => c === r.value)) {
      details.push({ field, message: `must be one of: ${def.choices.join(', ')}` });
      continue;
    }
    out[key] = r.value;
  }
  if (details.length) throw new ValidationError(details);
  return out;
}

export interface NewDefinition {
  key?: string;
  type: string;
  label: string;
  choices?: (string | number)[] | null;
}

/** Adds a definition; without a key the next free `field_N` is used. */
export async function addDefinition(
  knex: Knex,
  orgId: number,
  model: CustomFieldModel,
  input: NewDefinition,
): Promise<CustomFieldDefinition> {
  const details: ErrorDetail[] = [];
  if (!CUSTOM_FIELD_TYPES.includes(input.type as CustomFieldType)) {
    details.push({ field: 'type', message: `must be one of ${CUSTOM_FIELD_TYPES.join(', ')}` });
  }
  if (input.key !== undefined && !/^field_[1-9]\d{0,8}$/.test(input.key)) {
    details.push({ field: 'key', message: 'must look like field_N (N a positive integer)' });
  }
  if (!input.label || !input.label.trim()) details.push({ field: 'label', message: 'is required' });
  if (details.length) throw new ValidationError(details);
  const type = input.type as CustomFieldType;
  if (input.choices) {
    const bad = input.choices.map((c) => coerce(type, c, 'json')).findIndex((r) => 'error' in r);
    if (bad >= 0) throw new ValidationError([{ field: `choices.${bad}`, message: `must be a ${type}` }]);
  }
  return knex.transaction(async (trx) => {
    // Serialise definition writes per org so two "next field_N" picks cannot collide.
    await trx.raw('SELECT pg_advisory_xact_lock(?, ?)', [7301, orgId]);
    let key = input.key;
    if (!key) {
      const keys: string[] = await trx('custom_field_definitions').where({ org_id: orgId, model }).pluck('key');
      const max = keys.reduce((m, k) => Math.max(m, Number(k.slice(6)) || 0), 0);
      key = `field_${max + 1}`;
    } else if (await trx('custom_field_definitions').where({ org_id: orgId, model, key }).first('id')) {
      throw new ValidationError([{ field: 'key', message: `${key} already exists` }]);
    }
    const choices = input.choices && input.choices.length ? JSON.stringify(input.choices) : null;
    await trx('custom_field_definitions').insert({ org_id: orgId, model, key, type, label: input.label.trim(), choices });
    return { key, type, label: input.label.trim(), choices: input.choices ?? null };
  });
}

export async function removeDefinition(knex: Knex, orgId: number, model: CustomFieldModel, key: string): Promise<boolean> {
  const gone = await knex('custom_field_definitions').where({ org_id: orgId, model, key }).delete().returning('id');
  return gone.length > 0;
}

/** The documented meta shape: `{"custom_fields": {"field_N": {"type", "label"}}}` (+ `choices` when set). */
export function metaShape(defs: ReadonlyMap<string, CustomFieldDefinition>) {
  const custom_fields: Record<string, Record<string, unknown>> = {};
  for (const d of defs.values()) {
    custom_fields[d.key] = { type: d.type, label: d.label, ...(d.choices ? { choices: d.choices } : {}) };
  }
  return { custom_fields };
}
