import { Knex } from 'knex';
import { Caller } from '../../auth/basic';
import { BodyFormat } from '../../http/body';
import { ErrorDetail, ForbiddenError, NotFoundError, ValidationError } from '../../http/errors';
import { toHttpError } from '../../http/error-middleware';
import { checkIfMatch, makeEtag } from '../../http/etag';
import { Changes, listHistory, recordChange } from './history';
import { validateBody } from '../../openapi/validator';
import { CompanyCache } from '../../orgs/companies';
import type { Invalidations } from '../../db/notify';
import { lagTolerantReader } from '../../db/replica';
import { loadDefinitions, validateCustomFields } from '../../meta/custom-fields';
import { parseListQuery } from '../../query/parse';
import { listRows, ListResult } from '../../query/list';
import { accountCatalogue, RELATION_FIELDS, RelationField, WRITABLE_FIELDS } from './fields';
import { AccountRepo, AccountRow, relatedFromRows, relationWire } from './repo';
import { accountListJson, serializeAccount } from '../../dialects/v2/accounts/serialize';
import { RawJson } from '../../http/stream-json';
import { balanceFrom, ConversionData, conversionData, OwedRow } from '../../money/balance';
import { Viewer } from '../../crm/access/visibility';
import { changedRelations, linkedIds, ResolvedRelations, resolveRelations, writeRelations } from './relations';
import { changedCustomFields, changedValues } from './changes';
import { checkAccountReferences } from './references';

/** Fields a response shows but a client cannot set. */
const READ_ONLY = new Set([
  'id', 'created', 'updated', 'company', 'balance', 'converted_balance', 'default_price_level',
]);

type FullRow = AccountRow & { rel_balance: OwedRow[] | null };

export interface AccountResponse {
  body: Record<string, unknown>;
  etag: string;
}

export interface WriteOptions {
  /** The client's If-Match header: the write happens only on that version. */
  ifMatch?: string;
}

interface BulkOperation {
  action: 'create' | 'update' | 'upsert';
  id?: number;
  external_id?: string;
  if_match?: string;
  data: Record<string, unknown>;
}

export interface ImportItem {
  /** Line (CSV) or record number (JSON) in the source file, for the report. */
  line: number;
  data: Record<string, unknown>;
  format: BodyFormat;
  /** Set when the record could not even be read (e.g. a CSV row with the wrong number of fields). */
  errors?: ErrorDetail[];
}

export interface ImportOutcome {
  line: number;
  result: 'created' | 'updated' | 'unchanged' | 'failed';
  id?: number;
  errors?: ErrorDetail[];
}


/** Rules for accounts: validation, organisation scope, soft delete, custom fields. */
export class AccountService {
  private readonly repo: AccountRepo;
  private readonly companies = new CompanyCache();

  constructor(private readonly knex: Knex, private readonly maxLimit: number, invalidations?: Invalidations) {
    this.repo = new AccountRepo(knex);
    invalidations?.onCompanies((orgId) => this.companies.forget(orgId));
  }

  async get(caller: Caller, id: number, opts: { displayCurrency?: string } = {}): Promise<AccountResponse> {
    return this.read(caller.orgId, caller, id, opts.displayCurrency);
  }

  /** 404 unless the account exists in the caller's organisation and is visible to them. */
  async ensureVisible(caller: Caller, id: number): Promise<void> {
    if (!(await this.repo.scoped(caller).where('accounts.id', id).first('accounts.id'))) throw new NotFoundError('account', id);
  }

  async getByExternalId(caller: Caller, externalId: string): Promise<AccountResponse> {
    const row = await this.repo.findByExternalId(caller, externalId);
    if (!row) throw new NotFoundError('account with external_id', JSON.stringify(externalId));
    return this.respond(row);
  }

  async create(caller: Caller, body: unknown, format: BodyFormat): Promise<AccountResponse> {
    const input = this.validate('AccountCreate', body, format);
    const row = await this.knex.transaction((trx) => this.insertIn(trx, caller, input, format));
    // A new account has no invoices and, unless the request set some, no related sets: nothing to read back.
    return RELATION_FIELDS.some((f) => input[f] !== undefined) ? this.respond(row) : this.build({ ...row, rel_balance: null });
  }

  async update(caller: Caller, id: number, body: unknown, format: BodyFormat, opts: WriteOptions = {}): Promise<AccountResponse> {
    const input = this.validate('AccountUpdate', body, format);
    const row = await this.knex.transaction(async (trx) => {
      const existing = await this.repo.findById(caller, id, trx, true);
      if (!existing) throw new NotFoundError('account', id);
      checkIfMatch(opts.ifMatch, existing.version);
      return this.updateIn(trx, caller, existing, input, format);
    });
    return this.respond(row);
  }

  /** Soft delete; deleting a deleted account changes nothing and answers the same. */
  async remove(caller: Caller, id: number, opts: WriteOptions = {}): Promise<AccountResponse> {
    const row = await this.knex.transaction(async (trx) => {
      const existing = await this.repo.findById(caller, id, trx, true);
      if (!existing) throw new NotFoundError('account', id);
      checkIfMatch(opts.ifMatch, existing.version);
      this.checkMayDelete(caller, existing);
      if (existing.is_deleted) return existing;
      return this.updateIn(trx, caller, existing, { is_deleted: true }, 'json');
    });
    return this.respond(row);
  }

  /**
   * Creates or updates the account with this external_id. The unique index on
   * (org_id, external_id) settles races: a create that loses to a concurrent one retries as an update.
   */
  async upsertByExternalId(caller: Caller, externalId: string, body: unknown, format: BodyFormat, opts: WriteOptions = {}) {
    const input = this.validate('AccountUpdate', body, format);
    if (input.external_id !== undefined && input.external_id !== externalId) {
      throw new ValidationError([{ field: 'external_id', message: `differs from the external_id in the path ("${externalId}")` }]);
    }
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await this.knex.transaction((trx) => this.upsertIn(trx, caller, externalId, input, format, opts));
        return { ...(await this.respond(result.row)), created: result.created };
      } catch (e) {
        // A concurrent create won the unique index: now the row exists, so this becomes an update.
        if ((e as { code?: string }).code === '23505' && attempt === 0) continue;
        throw e;
      }
    }
  }

  /** Up to `max` creates/updates/upserts in one transaction: all or nothing. */
  async bulk(caller: Caller, body: unknown, format: BodyFormat, max: number) {
    const input = validateBody('AccountBulk', body, format);
    const ops = input.operations as BulkOperation[];
    if (ops.length > max) {
      throw new ValidationError([{ field: 'operations', message: `holds ${ops.length} operations; at most ${max} per request` }]);
    }
    const details: ErrorDetail[] = [];
    const results = await this.knex.transaction(async (trx) => {
      const out: { index: number; result: 'created' | 'updated'; id: number; external_id: unknown; version: number }[] = [];
      for (const [index, op] of ops.entries()) {
        try {
          const result = await trx.transaction(async (sp) => this.bulkOne(sp, caller, op));
          out.push({ index, result: result.created ? 'created' : 'updated', id: result.row.id, external_id: result.row.external_id ?? null, version: result.row.version });
        } catch (e) {
          const err = toHttpError(e);
          if (!err || err.status >= 500) throw e;
          for (const d of err.details ?? [{ field: '(operation)', message: err.message }]) {
            details.push({ field: `operations[${index}].${d.field}`, message: d.message });
          }
        }
      }
      // All or nothing: any failed item rolls every item back.
      if (details.length) throw new ValidationError(details, `${new Set(details.map((d) => d.field.split('.')[0])).size} of ${ops.length} operations failed; nothing was written`);
      return out;
    });
    return { results };
  }

  /**
   * One batch of an import record by record, each in its own savepoint, so a record that the
   * database refuses is reported and skipped, not fatal: the fallback of the set-based import
   * (import-batch.ts) when a batch hits a database error. Records match on external_id, else
   * import_id. `within` runs in the same transaction before it commits (the import's checkpoint).
   */
  async importBatch(caller: Caller, items: ImportItem[], within?: (trx: Knex, outcomes: ImportOutcome[]) => Promise<void>): Promise<ImportOutcome[]> {
    return this.knex.transaction(async (trx) => {
      const out: ImportOutcome[] = [];
      for (const item of items) out.push(await this.importOutcome(item, () => trx.transaction((sp) => this.importOne(sp, caller, item))));
      await within?.(trx, out);
      return out;
    });
  }

  private async importOutcome(item: ImportItem, run: () => Promise<{ row: AccountRow; created: boolean; unchanged?: boolean }>): Promise<ImportOutcome> {
    try {
      const r = await run();
      return { line: item.line, result: r.created ? 'created' : r.unchanged ? 'unchanged' : 'updated', id: r.row.id };
    } catch (e) {
      const err = toHttpError(e);
      if (!err || err.status >= 500) throw e;
      return { line: item.line, result: 'failed', errors: err.details ?? [{ field: '(record)', message: err.message }] };
    }
  }

  private async importOne(db: Knex, caller: Caller, item: ImportItem): Promise<{ row: AccountRow; created: boolean; unchanged?: boolean }> {
    if (item.errors) throw new ValidationError(item.errors);
    const input = this.validate('AccountUpdate', item.data, item.format);
    const externalId = typeof input.external_id === 'string' && input.external_id !== '' ? input.external_id : undefined;
    if (externalId) return this.upsertIn(db, caller, externalId, input, item.format, {});
    const importId = typeof input.import_id === 'string' && input.import_id !== '' ? input.import_id : undefined;
    const existing = importId ? await this.repo.findByImportId(caller, importId, db) : undefined;
    if (existing) {
      const row = await this.updateIn(db, caller, existing, input, item.format);
      return { row, created: false, unchanged: row === existing };
    }
    const missing = ['company_id', 'name'].filter((f) => input[f] === undefined || input[f] === null);
    if (missing.length) throw new ValidationError(missing.map((field) => ({ field, message: 'is required to create an account' })));
    return { row: await this.insertIn(db, caller, input, item.format), created: true };
  }

  /** A record checked by the same rules as a request body (openapi.yaml's AccountUpdate): the import's first check. */
  validateRecord(data: Record<string, unknown>, format: BodyFormat): Record<string, unknown> {
    return this.validate('AccountUpdate', data, format);
  }

  async history(caller: Caller, id: number) {
    const row = await this.repo.findById(caller, id);
    if (!row) throw new NotFoundError('account', id);
    return listHistory(await lagTolerantReader(this.knex), caller.orgId, id);
  }

  private async bulkOne(db: Knex, caller: Caller, op: BulkOperation): Promise<{ row: AccountRow; created: boolean }> {
    if (op.action === 'create') {
      const input = this.validate('AccountCreate', op.data, 'json');
      return { row: await this.insertIn(db, caller, input, 'json'), created: true };
    }
    if (op.action === 'update') {
      if (op.id === undefined) throw new ValidationError([{ field: 'id', message: 'is required for an update' }]);
      const input = this.validate('AccountUpdate', op.data, 'json');
      const existing = await this.repo.findById(caller, op.id, db, true);
      if (!existing) throw new ValidationError([{ field: 'id', message: `account ${op.id} does not exist` }]);
      checkIfMatch(op.if_match, existing.version);
      return { row: await this.updateIn(db, caller, existing, input, 'json'), created: false };
    }
    if (op.external_id === undefined) throw new ValidationError([{ field: 'external_id', message: 'is required for an upsert' }]);
    const input = this.validate('AccountUpdate', op.data, 'json');
    return this.upsertIn(db, caller, op.external_id, input, 'json', { ifMatch: op.if_match });
  }

  private async upsertIn(db: Knex, caller: Caller, externalId: string, input: Record<string, unknown>, format: BodyFormat, opts: WriteOptions) {
    const existing = await this.repo.findByExternalId(caller, externalId, db, true);
    if (existing) {
      checkIfMatch(opts.ifMatch, existing.version);
      const row = await this.updateIn(db, caller, existing, input, format);
      return { row, created: false, unchanged: row === existing };
    }
    const missing = ['company_id', 'name'].filter((f) => input[f] === undefined);
    if (missing.length) {
      throw new ValidationError(missing.map((field) => ({ field, message: `is required to create an account (no account has external_id "${externalId}")` })));
    }
    return { row: await this.insertIn(db, caller, { ...input, external_id: externalId }, format), created: true };
  }

  private async insertIn(db: Knex, caller: Caller, input: Record<string, unknown>, format: BodyFormat): Promise<AccountRow> {
    const { values, customFields, relations } = await this.prepare(db, caller, input, format, undefined);
    const inserted = await this.repo.insert(
      {
        ...values,
        org_id: caller.orgId,
        created_by: caller.id,
        custom_fields: JSON.stringify(customFields),
        ...(values.is_deleted ? { deleted_at: db.fn.now() } : {}),
      },
      db,
    );
    const before = await this.relationSnapshot(db, caller.orgId, undefined, relations);
    await writeRelations(db, caller.orgId, inserted.id, relations);
    await recordChange(db, caller.id, undefined, inserted, await this.relationChanges(db, caller.orgId, inserted.id, relations, before));
    return inserted;
  }

  /** Returns `existing` itself when the input changes nothing (then nothing is written). */
  private async updateIn(db: Knex, caller: Caller, existing: AccountRow, input: Record<string, unknown>, format: BodyFormat): Promise<AccountRow> {
    const prepared = await this.prepare(db, caller, input, format, existing);
    // A write that changes nothing changes nothing: no UPDATE (the trigger would move version and
    // `updated`, and an incremental sync would pull the record again), no history row.
    const values = changedValues(existing, prepared.values);
    const customFields = changedCustomFields(existing.custom_fields, prepared.customFields);
    const given = RELATION_FIELDS.filter((f) => prepared.relations[f] !== undefined);
    const relations = given.length ? changedRelations(prepared.relations, await linkedIds(db, caller.orgId, [existing.id], given), existing.id) : {};
    if (Object.keys(values).length + Object.keys(customFields).length + Object.keys(relations).length === 0) return existing;
    if (values.is_deleted !== undefined) this.checkMayDelete(caller, existing);
    if (values.is_deleted === true) values.deleted_at = db.fn.now();
    if (values.is_deleted === false) values.deleted_at = null;
    const before = await this.relationSnapshot(db, caller.orgId, existing.id, relations);
    // A change of tags, teams, ... is a change of the account: its version and `updated` move.
    if ((await writeRelations(db, caller.orgId, existing.id, relations)) && Object.keys(values).length === 0) values.version = db.raw('accounts.version');
    const row = await this.repo.update(caller, existing.id, values, customFields, db);
    if (!row) throw new NotFoundError('account', existing.id);
    await recordChange(db, caller.id, existing, row, await this.relationChanges(db, caller.orgId, existing.id, relations, before));
    return row;
  }

  /** The written relations in history's wire form (tag and industry names, user and team ids). */
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

  /** List items as objects (the CLI's export) or, with `wire`, as ready JSON text for the HTTP stream. */
  async list(caller: Caller, query: Record<string, unknown>): Promise<ListResult>;
  async list(caller: Caller, query: Record<string, unknown>, opts: { wire: true }): Promise<ListResult<RawJson>>;
  async list(caller: Caller, query: Record<string, unknown>, opts: { wire?: boolean } = {}): Promise<ListResult<Record<string, unknown> | RawJson>> {
    const needsCustom = Object.keys(query).some((k) => k.startsWith('custom_fields.') || (k === '_order' && String(query[k]).includes('custom_fields.')));
    const customFields = needsCustom ? await loadDefinitions(this.knex, caller.orgId, 'crm/accounts') : new Map();
    const q = parseListQuery(query, { catalogue: accountCatalogue, customFields, maxLimit: this.maxLimit });
    const companies = await this.companies.get(this.knex, caller.orgId);
    return listRows<AccountRow, Record<string, unknown> | RawJson>({
      knex: this.knex,
      scoped: this.repo.scoped(caller),
      catalogue: accountCatalogue,
      q,
      softDelete: true,
      serialize: async (rows, db) => {
        const related = await this.repo.related(caller.orgId, rows.map((r) => r.id), db);
        return opts.wire ? rows.map((r) => new RawJson(accountListJson(r, { companies, related }))) : rows.map((r) => serializeAccount(r, { companies, related }));
      },
    });
  }

  private validate(schema: string, body: unknown, format: BodyFormat): Record<string, unknown> {
    try {
      return validateBody(schema, body, format);
    } catch (e) {
      if (e instanceof ValidationError && e.details) {
        const details = e.details.map((d) => (READ_ONLY.has(d.field) ? { field: d.field, message: 'is read-only' } : d));
        throw new ValidationError(details);
      }
      throw e;
    }
  }

  /** Deleting (or restoring) is for admins and the account's creator; others see it but may not. */
  checkMayDelete(caller: Caller, existing: AccountRow) {
    if (caller.role !== 'admin' && existing.created_by !== caller.id) {
      throw new ForbiddenError(`only an admin or the user who created account ${existing.id} can delete or restore it`);
    }
  }

  /** Checked body → column values, custom fields and relations; references checked against the caller's org. */
  private async prepare(db: Knex, caller: Caller, input: Record<string, unknown>, format: BodyFormat, existing: AccountRow | undefined) {
    const values: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(input)) if (WRITABLE_FIELDS.has(k)) values[k] = v;
    if (values.company_id !== undefined && !(await this.companies.exists(db, caller.orgId, values.company_id as number))) {
      throw new ValidationError([{ field: 'company_id', message: `company ${values.company_id} does not exist` }]);
    }
    let customFields: Record<string, unknown> = {};
    if (input.custom_fields !== undefined) {
      const defs = await loadDefinitions(db, caller.orgId, 'crm/accounts');
      customFields = validateCustomFields(input.custom_fields, defs, format);
    }
    const details: ErrorDetail[] = [];
    await checkAccountReferences(db, caller, values, existing?.id, details);
    const relations = await resolveRelations(db, caller.orgId, input, details);
    if (details.length) throw new ValidationError(details);
    return { values, customFields, relations };
  }

  /** The ETag of a response that embeds more than the record (expanded relations). */
  etagWith(r: AccountResponse, extra: unknown): string {
    return makeEtag(Number(/^"v(\d+)-/.exec(r.etag)?.[1] ?? 0), { etag: r.etag, extra });
  }

  /** A write's response: from the returned row when it carries relations and balance, else read back. */
  private respond(row: AccountRow): Promise<AccountResponse> {
    if (!('rel_balance' in row)) return this.read(row.org_id, undefined, row.id);
    return this.build(row as FullRow);
  }

  /** One round trip: the account with its relations and balance (companies are cached). */
  private async read(orgId: number, viewer: Viewer | undefined, id: number, displayCurrency?: string): Promise<AccountResponse> {
    // With a display currency, its currencies and rates are read alongside: one round trip either way.
    const [row, conversion] = await Promise.all([
      this.repo.findFull(orgId, viewer, id),
      displayCurrency === undefined ? undefined : conversionData(this.knex, orgId),
    ]);
    if (!row) throw new NotFoundError('account', id);
    return this.build(row, displayCurrency, conversion);
  }

  private async build(row: FullRow, displayCurrency?: string, conversion?: ConversionData): Promise<AccountResponse> {
    const [companies, balance] = await Promise.all([
      this.companies.get(this.knex, row.org_id, row.company_id),
      balanceFrom(this.knex, row.org_id, row.rel_balance, displayCurrency, conversion),
    ]);
    return { body: serializeAccount(row, { companies, related: relatedFromRows([row]), balance }), etag: makeEtag(row.version, balance) };
  }
}
