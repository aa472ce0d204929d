import { Knex } from 'knex';
import type { Viewer } from '../../core/caller';
import { onlyVisibleChildren } from '../../access/visibility';

export type ContactRow = Record<string, unknown> & { id: number; org_id: number; account_id: number | null; created_by: number | null; is_deleted: boolean; version: number };

/** The only SQL of contacts. */
export class ContactRepo {
  constructor(readonly knex: Knex) {}

  /** The organisation's contacts the viewer may see (their account's visibility). */
  scoped(viewer: Viewer, db: Knex = this.knex): Knex.QueryBuilder {
    return onlyVisibleChildren(db('contacts').where('contacts.org_id', viewer.orgId), viewer, 'contacts');
  }

  find(viewer: Viewer, id: number, db: Knex = this.knex, forUpdate = false): Promise<ContactRow | undefined> {
    const q = this.scoped(viewer, db).where('contacts.id', id).first('contacts.*');
    return forUpdate ? q.forUpdate() : q;
  }

  liveOfAccounts(viewer: Viewer, accountIds: number[], db: Knex = this.knex): Promise<ContactRow[]> {
    return this.scoped(viewer, db).whereIn('contacts.account_id', accountIds).where('contacts.is_deleted', false).orderBy('contacts.id').select('contacts.*');
  }

  /** True when another live contact of the organisation has this e-mail (any case). */
  async emailTaken(db: Knex, orgId: number, email: string, exceptId: number | undefined): Promise<boolean> {
    const q = db('contacts').where({ org_id: orgId, is_deleted: false }).whereRaw('lower(email) = lower(?)', [email]);
    if (exceptId !== undefined) q.whereNot('id', exceptId);
    return Boolean(await q.first('id'));
  }

  async insert(db: Knex, values: Record<string, unknown>, customFields: Record<string, unknown>): Promise<ContactRow> {
    const [row] = await db('contacts').insert({ ...values, custom_fields: JSON.stringify(customFields) }).returning('*');
    return row;
  }

  /** Writes the columns, and merges `customFields` into the stored ones (keys not sent stay). */
  async update(db: Knex, orgId: number, id: number, values: Record<string, unknown>, customFields: Record<string, unknown> = {}): Promise<ContactRow | undefined> {
    const patch = { ...values };
    if (Object.keys(customFields).length) patch.custom_fields = db.raw('contacts.custom_fields || ?::jsonb', [JSON.stringify(customFields)]);
    if (!Object.keys(patch).length) return undefined;
    const [row] = await db('contacts').where({ org_id: orgId, id }).update(patch).returning('*');
    return row;
  }
}
