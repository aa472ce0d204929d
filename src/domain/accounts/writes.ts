import { Knex } from 'knex';
import type { Caller } from '../../core/caller';
import { FieldProblem, NotFoundError, ValidationError } from '../../core/errors';
import { checkMayChange } from '../../access/permissions';
import { softDeleteColumns } from '../../access/soft-delete';
import { checkVersion } from '../../core/versions';
import { validateBody } from '../../openapi/validator';
import { CompanyCache } from '../../orgs/companies';
import { loadDefinitions, validateCustomFields } from '../custom-fields/service';
import { changedCustomFields, changedValues } from './changes';
import { READ_ONLY, RELATION_FIELDS, WRITABLE_FIELDS } from './fields';
import { Changes, recordChange } from './history';
import { checkAccountReferences } from './references';
import { changedRelations, linkedIds, ResolvedRelations, resolveRelations, writeRelations } from './relations';
import { AccountRepo, AccountRow, relatedFromRows, relationWire } from './repo';
import type { AccountInput, WriteOptions } from './types';

export type Written = { row: AccountRow; created: boolean; unchanged?: boolean };

/**
 * The rules of one account write, inside the caller's transaction `db`: check the input, check its
 * references against the caller's organisation, write the row and its related sets, record history.
 * Create, update, upsert, bulk and the import's fallback all write through here.
 */
export class AccountWrites {
  constructor(
    private readonly repo: AccountRepo,
    private readonly companies: CompanyCache,
  ) {}

  /** Typed input checked against the resource's rules (openapi.yaml's AccountCreate / AccountUpdate). */
  validate(schema: 'AccountCreate' | 'AccountUpdate', input: AccountInput): AccountInput {
    try {
      return validateBody(schema, input, 'json');
    } catch (e) {
      if (e instanceof ValidationError && e.details) {
        throw new ValidationError(e.details.map((d) => (READ_ONLY.has(d.field) ? { field: d.field, message: 'is read-only' } : d)));
      }
      throw e;
    }
  }

  /** Deleting (or restoring) is for admins and the account's creator; others see it but may not. */
  checkMayDelete(caller: Caller, existing: AccountRow) {
    checkMayChange(caller, existing.created_by as number | null, `only an admin or the user who created account ${existing.id} can delete or restore it`);
  }

  async upsertIn(db: Knex, caller: Caller, externalId: string, input: AccountInput, opts: WriteOptions): Promise<Written> {
    const existing = await this.repo.findByExternalId(caller, externalId, db, true);
    if (existing) {
      checkVersion(opts.expected, existing.version);
      const row = await this.updateIn(db, caller, existing, input);
      return { row, created: false, unchanged: row === existing };
    }
    const missing = ['company_id', 'name'].filter((f) => input[f] === undefined);
    if (missing.length) {
      throw new ValidationError(missing.map((field) => ({ field, message: `is required to create an account (no account has external_id "${externalId}")` })));
    }
    return { row: await this.insertIn(db, caller, { ...input, external_id: externalId }), created: true };
  }

  async insertIn(db: Knex, caller: Caller, input: AccountInput): Promise<AccountRow> {
    const { values, customFields, relations } = await this.prepare(db, caller, input, undefined);
    const inserted = await this.repo.insert(
      {
        ...values,
        org_id: caller.orgId,
        created_by: caller.id,
        custom_fields: JSON.stringify(customFields),
        ...softDeleteColumns(db, values.is_deleted as boolean | undefined, false),
      },
      db,
    );
    const before = await this.relationSnapshot(db, caller.orgId, undefined, relations);
    await writeRelations(db, caller.orgId, inserted.id, relations);
    await recordChange(db, caller.id, undefined, inserted, await this.relationChanges(db, caller.orgId, inserted.id, relations, before));
    return inserted;
  }

  /** Returns `existing` itself when the input changes nothing (then nothing is written). */
  async updateIn(db: Knex, caller: Caller, existing: AccountRow, input: AccountInput): Promise<AccountRow> {
    const prepared = await this.prepare(db, caller, input, existing);
    // A write that changes nothing changes nothing: no UPDATE (the trigger would move version and
    // `updated`, and an incremental sync would pull the record again), no history row.
    const values = changedValues(existing, prepared.values);
    const customFields = changedCustomFields(existing.custom_fields, prepared.customFields);
    const given = RELATION_FIELDS.filter((f) => prepared.relations[f] !== undefined);
    const relations = given.length ? changedRelations(prepared.relations, await linkedIds(db, caller.orgId, [existing.id], given), existing.id) : {};
    if (Object.keys(values).length + Object.keys(customFields).length + Object.keys(relations).length === 0) return existing;
    if (values.is_deleted !== undefined) this.checkMayDelete(caller, existing);
    Object.assign(values, softDeleteColumns(db, values.is_deleted as boolean | undefined, existing.is_deleted));
    const before = await this.relationSnapshot(db, caller.orgId, existing.id, relations);
    // A change of tags, teams, ... is a change of the account: its version and `updated` move.
    if ((await writeRelations(db, caller.orgId, existing.id, relations)) && Object.keys(values).length === 0) values.version = db.raw('accounts.version');
    const row = await this.repo.update(caller, existing.id, values, customFields, db);
    if (!row) throw new NotFoundError('account', existing.id);
    await recordChange(db, caller.id, existing, row, await this.relationChanges(db, caller.orgId, existing.id, relations, before));
    return row;
  }

  /** Checked input → column values, custom fields and relations; references checked against the caller's org. */
  private async prepare(db: Knex, caller: Caller, input: AccountInput, existing: AccountRow | undefined) {
    const values: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(input)) if (WRITABLE_FIELDS.has(k)) values[k] = v;
    if (values.company_id !== undefined && !(await this.companies.exists(db, caller.orgId, values.company_id as number))) {
      throw new ValidationError([{ field: 'company_id', message: `company ${values.company_id} does not exist` }]);
    }
    let customFields: Record<string, unknown> = {};
    if (input.custom_fields !== undefined) {
      const defs = await loadDefinitions(db, caller.orgId, 'crm/accounts');
      customFields = validateCustomFields(input.custom_fields, defs);
    }
    const details: FieldProblem[] = [];
    await checkAccountReferences(db, caller, values, existing?.id, details);
    const relations = await resolveRelations(db, caller.orgId, input, details);
    if (details.length) throw new ValidationError(details);
    return { values, customFields, relations };
  }

  /** The written relations as history records them (tag and industry names, user and team ids). */
  private async relationSnapshot(db: Knex, orgId: number, id: number | undefined, written: ResolvedRelations): Promise<Record<string, unknown[]>> {
    const fields = RELATION_FIELDS.filter((f) => written[f] !== undefined);
    if (fields.length === 0) return {};
    const rel = id === undefined ? relatedFromRows([]) : await this.repo.related(orgId, [id], db);
    const wire = relationWire(rel, id ?? 0);
    return Object.fromEntries(fields.map((f) => [f, wire[f]]));
  }

  private async relationChanges(db: Knex, orgId: number, id: number, written: ResolvedRelations, before: Record<string, unknown[]>): Promise<Changes> {
    const after = await this.relationSnapshot(db, orgId, id, written);
    const changes: Changes = {};
    for (const [field, now] of Object.entries(after)) {
      if (JSON.stringify(now) !== JSON.stringify(before[field])) changes[field] = { old: before[field], new: now };
    }
    return changes;
  }
}
