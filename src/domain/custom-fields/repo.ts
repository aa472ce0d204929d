import { Knex } from 'knex';
import type { CustomFieldDefinition, CustomFieldType } from '../../query/catalogue';
import type { CustomFieldModel } from './fields';

/** The only SQL of custom field definitions. */
export async function loadDefinitions(knex: Knex, orgId: number, model: CustomFieldModel): Promise<Map<string, CustomFieldDefinition>> {
  const rows = await knex('custom_field_definitions').where({ org_id: orgId, model }).orderBy('id');
  return new Map(rows.map((r) => [r.key, { key: r.key, type: r.type, label: r.label, choices: r.choices ?? null }]));
}

/** Serialises definition writes per organisation, so two "next field_N" picks cannot collide. */
export async function lockDefinitions(trx: Knex.Transaction, orgId: number): Promise<void> {
  await trx.raw('SELECT pg_advisory_xact_lock(?, ?)', [7301, orgId]);
}

export async function definitionKeys(db: Knex, orgId: number, model: CustomFieldModel): Promise<string[]> {
  return db('custom_field_definitions').where({ org_id: orgId, model }).pluck('key');
}

export async function insertDefinition(
  db: Knex,
  values: { org_id: number; model: CustomFieldModel; key: string; type: CustomFieldType; label: string; choices: (string | number)[] | null },
): Promise<void> {
  await db('custom_field_definitions').insert({ ...values, choices: values.choices && values.choices.length ? JSON.stringify(values.choices) : null });
}

export async function deleteDefinition(db: Knex, orgId: number, model: CustomFieldModel, key: string): Promise<boolean> {
  return (await db('custom_field_definitions').where({ org_id: orgId, model, key }).delete().returning('id')).length > 0;
}
