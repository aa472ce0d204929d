import { Knex } from 'knex';
import { Caller } from '../../auth/basic';
import { BodyFormat } from '../../http/body';
import { ErrorDetail, ForbiddenError, NotFoundError, ValidationError } from '../../http/errors';
import { validateBody } from '../../openapi/validator';
import { companyExists } from '../../orgs/companies';
import { loadDefinitions, validateCustomFields } from '../../meta/custom-fields';
import { parseListQuery } from '../../query/parse';
import { listRows, ListResult } from '../../query/list';
import { accountVisibleSql, onlyVisibleChildren } from '../access/visibility';
import { contactCatalogue, CONTACT_WRITABLE } from './fields';
import { ContactRow, serializeContact } from './serialize';

const MODEL = 'crm/contacts' as const;

export interface ContactResult {
  body: Record<string, unknown>;
  /** True when another live contact of the organisation already has this e-mail. */
  dupedEmail?: boolean;
}

/** Contacts: people, usually of an account. Visibility follows their account (see access/). */
export class ContactService {
  constructor(private readonly knex: Knex, private readonly maxLimit: number) {}

  private scoped(caller: Caller, db: Knex = this.knex) {
    return onlyVisibleChildren(db('contacts').where('contacts.org_id', caller.orgId), caller, 'contacts');
  }

  private find(caller: Caller, id: number, db: Knex = this.knex, forUpdate = false): Promise<ContactRow | undefined> {
    const q = this.scoped(caller, db).where('contacts.id', id).first('contacts.*');
    return forUpdate ? q.forUpdate() : q;
  }

  async get(caller: Caller, id: number): Promise<ContactResult> {
    const row = await this.find(caller, id);
    if (!row) throw new NotFoundError('contact', id);
    return { body: serializeContact(row) };
  }

  /** `accountId` narrows to one account's contacts (the `/crm/accounts/:id/contacts` sub-resource). */
  async list(caller: Caller, query: Record<string, unknown>, accountId?: number): Promise<ListResult> {
    const needsCustom = Object.keys(query).some((k) => k.includes('custom_fields.')) || String(query._order ?? '').includes('custom_fields.');
    const customFields = needsCustom ? await loadDefinitions(this.knex, caller.orgId, MODEL) : new Map();
    const q = parseListQuery(query, { catalogue: contactCatalogue, customFields, maxLimit: this.maxLimit });
    const scoped = this.scoped(caller);
    if (accountId !== undefined) scoped.where('contacts.account_id', accountId);
    return listRows<ContactRow>({
      knex: this.knex,
      scoped,
      catalogue: contactCatalogue,
      q,
      softDelete: true,
      serialize: async (rows) => rows.map(serializeContact),
    });
  }

  /** Live contacts of several accounts in one query (for `?expand=contacts`). */
  async ofAccounts(caller: Caller, accountIds: number[], db: Knex = this.knex): Promise<Map<number, Record<string, unknown>[]>> {
    const out = new Map<number, Record<string, unknown>[]>();
    if (!accountIds.length) return out;
    const rows: ContactRow[] = await this.scoped(caller, db).whereIn('contacts.account_id', accountIds).where('contacts.is_deleted', false).orderBy('contacts.id').select('contacts.*');
    for (const r of rows) out.set(r.account_id!, [...(out.get(r.account_id!) ?? []), serializeContact(r)]);
    return out;
  }

  async create(caller: Caller, body: unknown, format: BodyFormat): Promise<ContactResult> {
    const input = validateBody('ContactCreate', body, format);
    return this.knex.transaction(async (trx) => {
      const { values, customFields } = await this.prepare(trx, caller, input, format, undefined);
      const dupedEmail = await this.emailTaken(trx, caller.orgId, values.email, undefined);
      const [row] = await trx('contacts')
        .insert({ ...values, org_id: caller.orgId, created_by: caller.id, custom_fields: JSON.stringify(customFields), ...(values.is_deleted ? { deleted_at: trx.fn.now() } : {}) })
        .returning('*');
      return { body: serializeContact(row), dupedEmail };
    });
  }

  async update(caller: Caller, id: number, body: unknown, format: BodyFormat): Promise<ContactResult> {
    const input = validateBody('ContactUpdate', body, format);
    return this.knex.transaction(async (trx) => {
      const existing = await this.find(caller, id, trx, true);
      if (!existing) throw new NotFoundError('contact', id);
      const { values, customFields } = await this.prepare(trx, caller, input, format, existing);
      if (values.is_deleted !== undefined && values.is_deleted !== existing.is_deleted) this.checkMayDelete(caller, existing);
      if (values.is_deleted === true && !existing.is_deleted) values.deleted_at = trx.fn.now();
      if (values.is_deleted === false) values.deleted_at = null;
      if (Object.keys(customFields).length) values.custom_fields = trx.raw('contacts.custom_fields || ?::jsonb', [JSON.stringify(customFields)]);
      const dupedEmail = values.email !== undefined ? await this.emailTaken(trx, caller.orgId, values.email, id) : undefined;
      const [row] = Object.keys(values).length ? await trx('contacts').where({ org_id: caller.orgId, id }).update(values).returning('*') : [existing];
      return { body: serializeContact(row), dupedEmail };
    });
  }

  async remove(caller: Caller, id: number): Promise<ContactResult> {
    return this.knex.transaction(async (trx) => {
      const existing = await this.find(caller, id, trx, true);
      if (!existing) throw new NotFoundError('contact', id);
      this.checkMayDelete(caller, existing);
      if (existing.is_deleted) return { body: serializeContact(existing) };
      const [row] = await trx('contacts').where({ org_id: caller.orgId, id }).update({ is_deleted: true, deleted_at: trx.fn.now() }).returning('*');
      return { body: serializeContact(row) };
    });
  }

  private checkMayDelete(caller: Caller, existing: ContactRow) {
    if (caller.role !== 'admin' && existing.created_by !== caller.id) {
      throw new ForbiddenError(`only an admin or the user who created contact ${existing.id} can delete or restore it`);
    }
  }

  /** Administrate accepts a second contact with a known e-mail and says so in `X-Duped-Email`. */
  private async emailTaken(db: Knex, orgId: number, email: unknown, exceptId: number | undefined): Promise<boolean> {
    if (typeof email !== 'string' || email.trim() === '') return false;
    const q = db('contacts').where({ org_id: orgId, is_deleted: false }).whereRaw('lower(email) = lower(?)', [email.trim()]);
    if (exceptId !== undefined) q.whereNot('id', exceptId);
    return Boolean(await q.first('id'));
  }

  private async prepare(db: Knex, caller: Caller, input: Record<string, unknown>, format: BodyFormat, existing: ContactRow | undefined) {
    const values: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(input)) if (CONTACT_WRITABLE.has(k)) values[k] = v;
    const details: ErrorDetail[] = [];
    if (values.company_id !== undefined && !(await companyExists(db, caller.orgId, values.company_id as number))) {
      details.push({ field: 'company_id', message: `company ${values.company_id} does not exist` });
    }
    if (values.account_id !== undefined && values.account_id !== null) {
      const q = db('accounts').where({ 'accounts.org_id': caller.orgId, 'accounts.id': values.account_id });
      if (caller.role !== 'admin') {
        const v = accountVisibleSql(caller, 'accounts.id', 'accounts.created_by');
        q.whereRaw(v.sql, v.bindings);
      }
      if (!(await q.first('id'))) details.push({ field: 'account_id', message: `account ${values.account_id} does not exist` });
    }
    const first = values.first_name !== undefined ? values.first_name : existing?.first_name;
    const last = values.last_name !== undefined ? values.last_name : existing?.last_name;
    if (!String(first ?? '').trim() && !String(last ?? '').trim()) {
      details.push({ field: existing ? 'last_name' : 'first_name', message: 'a contact needs a first_name or a last_name' });
    }
    let customFields: Record<string, unknown> = {};
    if (input.custom_fields !== undefined) {
      try {
        customFields = validateCustomFields(input.custom_fields, await loadDefinitions(db, caller.orgId, MODEL), format);
      } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        details.push(...(e.details ?? []));
      }
    }
    if (details.length) throw new ValidationError(details);
    return { values, customFields };
  }
}
