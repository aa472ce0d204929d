import { Knex } from 'knex';
import type { Caller } from '../../core/caller';
import { NotFoundError } from '../../core/errors';
import { checkVersion } from '../../core/versions';
import type { CustomFieldDefinition } from '../../query/catalogue';
import type { ListResult } from '../../query/list';
import { CompanyCache } from '../../orgs/companies';
import type { Invalidations } from '../../db/notify';
import { loadDefinitions } from '../custom-fields/service';
import { RELATION_FIELDS } from './fields';
import { importRecordByRecord } from './import-fallback';
import { AccountReads, StreamOptions } from './read-model';
import { AccountRepo, AccountRow } from './repo';
import { AccountSync } from './sync';
import type { AccountBatch, AccountJsonBatch, AccountInput, AccountView, BulkOperation, ImportItem, ImportOutcome, WriteOptions } from './types';
import { AccountWrites } from './writes';

export type { AccountInput, AccountView, WriteOptions } from './types';

/**
 * Accounts, as every client (the v2 routes, the CLI, the import) uses them: typed input in, plain
 * views out, domain errors raised. Each concern lives in its own file: the write rules (writes.ts),
 * sync (sync.ts), reads and lists (read-model.ts), the import's record-by-record fallback
 * (import-fallback.ts; the set-based import is import-batch.ts).
 */
export class AccountService {
  private readonly repo: AccountRepo;
  private readonly companies = new CompanyCache();
  private readonly writes: AccountWrites;
  private readonly reads: AccountReads;
  private readonly sync: AccountSync;

  constructor(private readonly knex: Knex, maxLimit: number, invalidations?: Invalidations) {
    this.repo = new AccountRepo(knex);
    this.writes = new AccountWrites(this.repo, this.companies);
    this.reads = new AccountReads(knex, this.repo, this.companies, maxLimit);
    this.sync = new AccountSync(knex, this.repo, this.writes);
    invalidations?.onCompanies((orgId) => this.companies.forget(orgId));
  }

  get(caller: Caller, id: number, opts: { displayCurrency?: string } = {}): Promise<AccountView> {
    return this.reads.get(caller, id, opts.displayCurrency);
  }

  getByExternalId(caller: Caller, externalId: string): Promise<AccountView> {
    return this.reads.getByExternalId(caller, externalId);
  }

  ensureVisible(caller: Caller, id: number): Promise<void> {
    return this.reads.ensureVisible(caller, id);
  }

  list(caller: Caller, query: Record<string, unknown>): Promise<ListResult<AccountBatch>> {
    return this.reads.list(caller, query);
  }

  /** The list as CSV records written by the database (see record-sql.ts csvHeader, csvLineColumn). */
  listCsv(caller: Caller, query: Record<string, unknown>, customKeys: readonly string[], opts?: StreamOptions): Promise<ListResult<string[]>> {
    return this.reads.listCsv(caller, query, customKeys, opts);
  }

  /** The list with items as JSON text written by the database (see record-sql.ts). */
  listJson(caller: Caller, query: Record<string, unknown>, opts?: StreamOptions): Promise<ListResult<AccountJsonBatch>> {
    return this.reads.listJson(caller, query, opts);
  }

  history(caller: Caller, id: number) {
    return this.reads.history(caller, id);
  }

  /** The organisation's custom fields of accounts (a dialect types text values by them). */
  customFieldDefinitions(caller: Caller): Promise<Map<string, CustomFieldDefinition>> {
    return loadDefinitions(this.knex, caller.orgId, 'crm/accounts');
  }

  async create(caller: Caller, data: AccountInput): Promise<AccountView> {
    const input = this.writes.validate('AccountCreate', data);
    const row = await this.knex.transaction((trx) => this.writes.insertIn(trx, caller, input));
    // A new account has no invoices and, unless the request set some, no related sets: nothing to read back.
    return RELATION_FIELDS.some((f) => input[f] !== undefined) ? this.reads.afterWrite(row) : this.reads.created(row);
  }

  async update(caller: Caller, id: number, data: AccountInput, opts: WriteOptions = {}): Promise<AccountView> {
    const input = this.writes.validate('AccountUpdate', data);
    const row = await this.knex.transaction(async (trx) => {
      const existing = await this.repo.findById(caller, id, trx, true);
      if (!existing) throw new NotFoundError('account', id);
      checkVersion(opts.expected, existing.version);
      return this.writes.updateIn(trx, caller, existing, input);
    });
    return this.reads.afterWrite(row);
  }

  /** Soft delete; deleting a deleted account changes nothing and answers the same. */
  async remove(caller: Caller, id: number, opts: WriteOptions = {}): Promise<AccountView> {
    const row = await this.knex.transaction(async (trx) => {
      const existing = await this.repo.findById(caller, id, trx, true);
      if (!existing) throw new NotFoundError('account', id);
      checkVersion(opts.expected, existing.version);
      this.writes.checkMayDelete(caller, existing);
      if (existing.is_deleted) return existing;
      return this.writes.updateIn(trx, caller, existing, { is_deleted: true });
    });
    return this.reads.afterWrite(row);
  }

  async upsertByExternalId(caller: Caller, externalId: string, data: AccountInput, opts: WriteOptions = {}): Promise<AccountView & { created: boolean }> {
    const result = await this.sync.upsertByExternalId(caller, externalId, data, opts);
    return { ...(await this.reads.afterWrite(result.row)), created: result.created };
  }

  bulk(caller: Caller, ops: BulkOperation[], max: number) {
    return this.sync.bulk(caller, ops, max);
  }

  /** A record checked by the same rules as a request body: the import's first check. */
  validateRecord(data: AccountInput): AccountInput {
    return this.writes.validate('AccountUpdate', data);
  }

  checkMayDelete(caller: Caller, existing: AccountRow): void {
    this.writes.checkMayDelete(caller, existing);
  }

  /** See import-fallback.ts. */
  importBatch(caller: Caller, items: ImportItem[], within?: (trx: Knex, outcomes: ImportOutcome[]) => Promise<void>): Promise<ImportOutcome[]> {
    return importRecordByRecord(this.knex, this.repo, this.writes, caller, items, within);
  }
}
