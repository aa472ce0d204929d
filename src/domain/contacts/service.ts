import { Knex } from 'knex';
import type { Viewer } from '../../core/caller';
import { FieldProblem, NotFoundError, ValidationError } from '../../core/errors';
import type { CustomFieldDefinition } from '../../query/catalogue';
import { listRows, ListResult } from '../../query/list';
import { ListQuery } from '../../query/parse';
import { visibleAccount } from '../../access/account-scope';
import { companyExists } from '../../access/references';
import { checkMayChange } from '../../access/permissions';
import { deletedNow, softDeleteColumns } from '../../access/soft-delete';
import { loadDefinitions, validateCustomFields } from '../custom-fields/service';
import { contactCatalogue, CONTACT_WRITABLE } from './fields';
import { ContactRepo, ContactRow } from './repo';

export type { ContactRow } from './repo';

const MODEL = 'crm/contacts' as const;

export interface ContactResult {
  contact: ContactRow;
  /** True when another live contact of the organisation already has this e-mail. */
  dupedEmail?: boolean;
}

/** A write's fields, typed; `custom_fields` as sent (see CustomFieldsReader). */
export type ContactInput = Record<string, unknown>;

/**
 * How the caller's wire turns sent custom field values into typed ones, given the definitions the
 * core loaded (a form sends text; JSON is typed already). Defaults to taking them as they are.
 */
export type CustomFieldsReader = (raw: unknown, defs: ReadonlyMap<string, CustomFieldDefinition>) => unknown;

/** Contacts: people, usually of an account. Visibility follows their account (see src/access). */
export class ContactService {
  private readonly repo: ContactRepo;

  constructor(private readonly knex: Knex) {
    this.repo = new ContactRepo(knex);
  }

  /** The custom field definitions a query on contacts may name. */
  definitions(viewer: Viewer): Promise<Map<string, CustomFieldDefinition>> {
    return loadDefinitions(this.knex, viewer.orgId, MODEL);
  }

  async get(viewer: Viewer, id: number): Promise<ContactRow> {
    const row = await this.repo.find(viewer, id);
    if (!row) throw new NotFoundError('contact', id);
    return row;
  }

  /** `accountId` narrows to one account's contacts (the `/crm/accounts/:id/contacts` sub-resource). */
  list(viewer: Viewer, q: ListQuery, accountId?: number): Promise<ListResult<ContactRow>> {
    const scoped = this.repo.scoped(viewer);
    if (accountId !== undefined) scoped.where('contacts.account_id', accountId);
    return listRows<ContactRow, ContactRow>({ knex: this.knex, scoped, catalogue: contactCatalogue, q, softDelete: true, serialize: async (rows) => rows });
  }

  /** Live contacts of several accounts in one query (for `?expand=contacts`). */
  async ofAccounts(viewer: Viewer, accountIds: number[], db: Knex = this.knex): Promise<Map<number, ContactRow[]>> {
    const out = new Map<number, ContactRow[]>();
    if (!accountIds.length) return out;
    for (const r of await this.repo.liveOfAccounts(viewer, accountIds, db)) out.set(r.account_id!, [...(out.get(r.account_id!) ?? []), r]);
    return out;
  }

  async create(viewer: Viewer, input: ContactInput, readCustom?: CustomFieldsReader): Promise<ContactResult> {
    return this.knex.transaction(async (trx) => {
      const { values, customFields } = await this.prepare(trx, viewer, input, undefined, readCustom);
      const dupedEmail = await this.emailTaken(trx, viewer.orgId, values.email, undefined);
      const contact = await this.repo.insert(trx, { ...values, org_id: viewer.orgId, created_by: viewer.id, ...(values.is_deleted ? { deleted_at: trx.fn.now() } : {}) }, customFields);
      return { contact, dupedEmail };
    });
  }

  async update(viewer: Viewer, id: number, input: ContactInput, readCustom?: CustomFieldsReader): Promise<ContactResult> {
    return this.knex.transaction(async (trx) => {
      const existing = await this.repo.find(viewer, id, trx, true);
      if (!existing) throw new NotFoundError('contact', id);
      const { values, customFields } = await this.prepare(trx, viewer, input, existing, readCustom);
      const isDeleted = values.is_deleted as boolean | undefined;
      if (isDeleted !== undefined && isDeleted !== existing.is_deleted) this.checkMayDelete(viewer, existing);
      Object.assign(values, softDeleteColumns(trx, isDeleted, existing.is_deleted));
      const dupedEmail = values.email !== undefined ? await this.emailTaken(trx, viewer.orgId, values.email, id) : undefined;
      const contact = (await this.repo.update(trx, viewer.orgId, id, values, customFields)) ?? existing;
      return { contact, dupedEmail };
    });
  }

  async remove(viewer: Viewer, id: number): Promise<ContactResult> {
    return this.knex.transaction(async (trx) => {
      const existing = await this.repo.find(viewer, id, trx, true);
      if (!existing) throw new NotFoundError('contact', id);
      this.checkMayDelete(viewer, existing);
      if (existing.is_deleted) return { contact: existing };
      return { contact: (await this.repo.update(trx, viewer.orgId, id, deletedNow(trx)))! };
    });
  }

  private checkMayDelete(viewer: Viewer, existing: ContactRow) {
    checkMayChange(viewer, existing.created_by, `only an admin or the user who created contact ${existing.id} can delete or restore it`);
  }

  /** Administrate accepts a second contact with a known e-mail and says so (v2: `X-Duped-Email`). */
  private async emailTaken(db: Knex, orgId: number, email: unknown, exceptId: number | undefined): Promise<boolean> {
    if (typeof email !== 'string' || email.trim() === '') return false;
    return this.repo.emailTaken(db, orgId, email.trim(), exceptId);
  }

  private async prepare(db: Knex, viewer: Viewer, input: ContactInput, existing: ContactRow | undefined, readCustom: CustomFieldsReader = (raw) => raw) {
    const values: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(input)) if (CONTACT_WRITABLE.has(k)) values[k] = v;
    const details: FieldProblem[] = [];
    if (values.company_id !== undefined && !(await companyExists(db, viewer.orgId, values.company_id as number))) {
      details.push({ field: 'company_id', message: `company ${values.company_id} does not exist` });
    }
    if (values.account_id !== undefined && values.account_id !== null && !(await visibleAccount(db, viewer, values.account_id as number))) {
      details.push({ field: 'account_id', message: `account ${values.account_id} does not exist` });
    }
    const first = values.first_name !== undefined ? values.first_name : existing?.first_name;
    const last = values.last_name !== undefined ? values.last_name : existing?.last_name;
    if (!String(first ?? '').trim() && !String(last ?? '').trim()) {
      details.push({ field: existing ? 'last_name' : 'first_name', message: 'a contact needs a first_name or a last_name' });
    }
    let customFields: Record<string, unknown> = {};
    if (input.custom_fields !== undefined) {
      try {
        const defs = await loadDefinitions(db, viewer.orgId, MODEL);
        customFields = validateCustomFields(readCustom(input.custom_fields, defs), defs);
      } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        details.push(...(e.details ?? []));
      }
    }
    if (details.length) throw new ValidationError(details);
    return { values, customFields };
  }
}
