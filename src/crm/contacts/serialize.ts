import { wireDateTime } from '../../http/wire';
import { CONTACT_WIRE_ORDER } from './fields';

export type ContactRow = Record<string, unknown> & { id: number; org_id: number; account_id: number | null; created_by: number | null; is_deleted: boolean; version: number };

/** A stored row → the v2-style contact object, keys in catalogue order. */
export function serializeContact(row: ContactRow): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of CONTACT_WIRE_ORDER) {
    if (key === 'created_on') out.created_on = wireDateTime(row.created_on as Date);
    else if (key === 'updated') out.updated = wireDateTime(row.updated as Date, true);
    else if (key === 'custom_fields') out.custom_fields = row.custom_fields ?? {};
    else out[key] = row[key] ?? null;
  }
  return out;
}
