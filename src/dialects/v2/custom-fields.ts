import { Router } from 'express';
import type { CustomFieldDefinition, CustomFieldType } from '../../query/catalogue';
import { parseScalar } from '../../core/values';
import { BodyFormat, requireJsonOrForm } from '../../http/body';
import { lenientJsonBoolean, validateBody } from '../../openapi/validator';
import { CUSTOM_FIELD_MODELS, CustomFieldModel, CustomFieldService, NewDefinition, validateCustomFields } from '../../domain/custom-fields/service';

const FORM_BOOLEAN_WORDS: Record<string, string> = { on: 'true', yes: 'true', off: 'false', no: 'false' };

/**
 * One custom field value as the v2 wire sends it → the typed value the core checks. A form sends
 * text: typed by the field's type through the scalar module ("" clears; on/yes/off/no are PHP's
 * checkbox booleans). A JSON body's 1/0 and "true"/"false" are booleans. Text that does not parse
 * stays as sent, so the core's check names the field and says what it must be.
 */
function wireValue(type: CustomFieldType, raw: unknown, format: BodyFormat): unknown {
  if (format !== 'form') return type === 'boolean' ? lenientJsonBoolean(raw) : raw;
  if (typeof raw !== 'string') return raw;
  if (raw === '') return null;
  if (type === 'boolean') {
    const r = parseScalar('boolean', FORM_BOOLEAN_WORDS[raw.toLowerCase()] ?? raw);
    return 'value' in r ? r.value : raw;
  }
  if (type === 'integer' || type === 'decimal') {
    const r = parseScalar('decimal', raw);
    return 'value' in r ? Number(r.value) : raw;
  }
  return raw;
}

/** A body's `custom_fields` with its values typed for the core (unknown keys and non-objects are left to its check). */
export function customFieldsFromBody(input: unknown, defs: ReadonlyMap<string, CustomFieldDefinition>, format: BodyFormat): unknown {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return input;
  const out: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(input as Record<string, unknown>)) {
    const def = defs.get(key);
    out[key] = def ? wireValue(def.type, raw, format) : raw;
  }
  return out;
}

/** Typed and checked custom fields of a v2 body (accounts' import and service still call this name). */
export function validateBodyCustomFields(input: unknown, defs: ReadonlyMap<string, CustomFieldDefinition>, format: BodyFormat): Record<string, unknown> {
  return validateCustomFields(customFieldsFromBody(input, defs, format), defs);
}

/** The documented meta shape: `{"custom_fields": {"field_N": {"type", "label"}}}` (+ `choices` when set). */
export function metaShape(defs: ReadonlyMap<string, CustomFieldDefinition>) {
  const custom_fields: Record<string, Record<string, unknown>> = {};
  for (const d of defs.values()) custom_fields[d.key] = { type: d.type, label: d.label, ...(d.choices ? { choices: d.choices } : {}) };
  return { custom_fields };
}

/** `/api/v2/meta/crm/accounts` (and contacts): the documented custom-field schema, and its management (admins). */
export function metaRoutes(service: CustomFieldService): Router {
  const r = Router();
  for (const model of CUSTOM_FIELD_MODELS) modelRoutes(r, service, model);
  return r;
}

function modelRoutes(r: Router, service: CustomFieldService, model: CustomFieldModel) {
  r.get(`/${model}`, async (req, res) => {
    res.json(metaShape(await service.definitions(req.user!, model)));
  });
  r.post(`/${model}/custom_fields`, requireJsonOrForm, async (req, res) => {
    service.checkMayDefine(req.user!);
    const input = validateBody('CustomFieldDefinitionCreate', req.body, req.bodyFormat!) as unknown as NewDefinition;
    const def = await service.add(req.user!, model, input);
    res.status(201).json({ [def.key]: metaShape(new Map([[def.key, def]])).custom_fields[def.key] });
  });
  r.delete(`/${model}/custom_fields/:key`, async (req, res) => {
    await service.remove(req.user!, model, req.params.key);
    res.status(204).end();
  });
}
