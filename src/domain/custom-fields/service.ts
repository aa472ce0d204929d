import { Knex } from 'knex';
import { CUSTOM_FIELD_TYPES, CustomFieldDefinition, CustomFieldType } from '../../query/catalogue';
import { FieldProblem, NotFoundError, ValidationError } from '../../core/errors';
import type { Viewer } from '../../core/caller';
import { checkAdmin } from '../../access/permissions';
import { parseScalar } from '../../core/values';
import { CUSTOM_FIELD_KEY, type CustomFieldModel } from './fields';
import { ensureCustomFieldIndex } from './indexes';
import { definitionKeys, deleteDefinition, insertDefinition, lockDefinitions, loadDefinitions } from './repo';

export { CUSTOM_FIELD_MODELS } from './fields';
export type { CustomFieldModel } from './fields';
export { loadDefinitions } from './repo';

/**
 * A typed value for a field of `type`, or an error message. Values arrive typed (a dialect has
 * coerced form strings); dates and datetimes are read by the one scalar module.
 */
export function checkValue(type: CustomFieldType, value: unknown): { value: unknown } | { error: string } {
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
      return typeof value === 'string' && !('error' in parseScalar('date', value)) ? { value } : { error: 'must be a date (YYYY-MM-DD)' };
    case 'datetime': {
      const r = typeof value === 'string' ? parseScalar('datetime', value) : undefined;
      // Stored as UTC without an offset, to the second.
      return r && 'value' in r ? { value: String(r.value).slice(0, 19) } : { error: 'must be an ISO 8601 datetime (YYYY-MM-DDTHH:MM:SS)' };
    }
  }
}

/**
 * Checks a `custom_fields` object against the organisation's definitions. Unknown keys, wrong
 * types and values outside `choices` are ValidationErrors naming `custom_fields.<key>`. `null` clears a field.
 */
export function validateCustomFields(input: unknown, defs: ReadonlyMap<string, CustomFieldDefinition>): Record<string, unknown> {
  if (input === null || input === undefined) return {};
  if (typeof input !== 'object' || Array.isArray(input)) {
    throw new ValidationError([{ field: 'custom_fields', message: 'must be an object of field_N: value' }]);
  }
  const out: Record<string, unknown> = {};
  const details: FieldProblem[] = [];
  for (const [key, raw] of Object.entries(input as Record<string, unknown>)) {
    const field = `custom_fields.${key}`;
    const def = defs.get(key);
    if (!def) {
      const known = [...defs.keys()];
      details.push({ field, message: `is not a custom field of this model; known: ${known.length ? known.join(', ') : '(none defined)'}` });
      continue;
    }
    if (raw === null) {
      out[key] = null;
      continue;
    }
    const r = checkValue(def.type, raw);
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
export async function addDefinition(knex: Knex, orgId: number, model: CustomFieldModel, input: NewDefinition): Promise<CustomFieldDefinition> {
  const details: FieldProblem[] = [];
  if (!CUSTOM_FIELD_TYPES.includes(input.type as CustomFieldType)) details.push({ field: 'type', message: `must be one of ${CUSTOM_FIELD_TYPES.join(', ')}` });
  if (input.key !== undefined && !CUSTOM_FIELD_KEY.test(input.key)) details.push({ field: 'key', message: 'must look like field_N (N a positive integer)' });
  if (!input.label || !input.label.trim()) details.push({ field: 'label', message: 'is required' });
  if (details.length) throw new ValidationError(details);
  const type = input.type as CustomFieldType;
  if (input.choices) {
    const bad = input.choices.map((c) => checkValue(type, c)).findIndex((r) => 'error' in r);
    if (bad >= 0) throw new ValidationError([{ field: `choices.${bad}`, message: `must be a ${type}` }]);
  }
  const definition = await knex.transaction(async (trx): Promise<CustomFieldDefinition> => {
    await lockDefinitions(trx, orgId);
    const keys = await definitionKeys(trx, orgId, model);
    let key = input.key;
    if (!key) key = `field_${keys.reduce((m, k) => Math.max(m, Number(k.slice(6)) || 0), 0) + 1}`;
    else if (keys.includes(key)) throw new ValidationError([{ field: 'key', message: `${key} already exists` }]);
    await insertDefinition(trx, { org_id: orgId, model, key, type, label: input.label.trim(), choices: input.choices ?? null });
    return { key, type, label: input.label.trim(), choices: input.choices ?? null };
  });
  if (model === 'crm/accounts') await indexBuiltOrLater(ensureCustomFieldIndex(knex, definition.key));
  return definition;
}

/** How long defining a field waits for its index; a larger table's build goes on after the answer. */
const INDEX_WAIT_MS = 5000;

/**
 * Waits for the index build up to INDEX_WAIT_MS. A build still running then (a big table, or old
 * transactions a concurrent build must outlast) finishes in the background; one that fails is
 * retried at the next start (ensureCustomFieldIndexes). Filters are right either way, only slower.
 */
async function indexBuiltOrLater(build: Promise<void>): Promise<void> {
  const settled = build.then(
    () => undefined,
    () => undefined,
  );
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([settled, new Promise((resolve) => (timer = setTimeout(resolve, INDEX_WAIT_MS)))]);
  clearTimeout(timer);
}

export function removeDefinition(knex: Knex, orgId: number, model: CustomFieldModel, key: string): Promise<boolean> {
  return deleteDefinition(knex, orgId, model, key);
}

/** Definitions for one database, as the API's routes manage them (admins define and remove). */
export class CustomFieldService {
  constructor(private readonly knex: Knex) {}

  definitions(viewer: Viewer, model: CustomFieldModel): Promise<Map<string, CustomFieldDefinition>> {
    return loadDefinitions(this.knex, viewer.orgId, model);
  }

  add(viewer: Viewer, model: CustomFieldModel, input: NewDefinition): Promise<CustomFieldDefinition> {
    checkAdmin(viewer, 'only admins can define custom fields');
    return addDefinition(this.knex, viewer.orgId, model, input);
  }

  /** ForbiddenError unless the viewer may define fields (a dialect asks before it reads the body). */
  checkMayDefine(viewer: Viewer): void {
    checkAdmin(viewer, 'only admins can define custom fields');
  }

  async remove(viewer: Viewer, model: CustomFieldModel, key: string): Promise<void> {
    checkAdmin(viewer, 'only admins can remove custom fields');
    if (!(await removeDefinition(this.knex, viewer.orgId, model, key))) throw new NotFoundError('custom field', key);
  }
}
