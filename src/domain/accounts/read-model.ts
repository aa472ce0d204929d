import { Knex } from 'knex';
import type { Caller } from '../../core/caller';
import { NotFoundError } from '../../core/errors';
import { checkAccountVisible } from '../../access/account-scope';
import { CompanyCache } from '../../orgs/companies';
import { lagTolerantReader } from '../../db/replica';
import { loadDefinitions } from '../custom-fields/service';
import { ListQuery, parseListQuery } from '../../query/parse';
import { listRows, ListResult } from '../../query/list';
import { balanceFrom, ConversionData, conversionData, OwedRow } from '../../money/balance';
import type { Viewer } from '../../access/visibility';
import { accountCatalogue } from './fields';
import { listHistory } from './history';
import { AccountRepo, AccountRow, relatedFromRows } from './repo';
import type { AccountBatch, AccountJsonBatch, AccountView } from './types';
import { csvLineColumn, ItemJsonRow, listItemJson } from './record-sql';

/**
 * True when the list's rows come out of the primary key in list order: ordered by id alone (or not at
 * all: id is the default) and filtered by nothing but id and is_deleted (keyset pages, streams, exports).
 */
function inIdOrder(q: ListQuery): boolean {
  const onColumn = (t: ListQuery['filters'][number]['target'], names: string[]) => t.kind === 'column' && names.includes(t.def.name);
  return q.order.every((o, i) => i === 0 && !o.desc && onColumn(o.target, ['id'])) && q.filters.every((f) => onColumn(f.target, ['id', 'is_deleted']));
}

/** How a streamed list is read: `streamBatch` rows per cursor FETCH (src/query/list.ts). */
export interface StreamOptions {
  streamBatch?: number;
}

/** A row read with its relations and balance columns (AccountRepo.findFull, or a write's RETURNING). */
type FullRow = AccountRow & { rel_balance: OwedRow[] | null };

/**
 * What a reader gets: one account with its company, related sets and balance (one round trip,
 * companies cached), or a list in batches. Plain data: a dialect makes its wire form of it.
 */
export class AccountReads {
  constructor(
    private readonly knex: Knex,
    private readonly repo: AccountRepo,
    private readonly companies: CompanyCache,
    private readonly maxLimit: number,
  ) {}

  get(caller: Caller, id: number, displayCurrency?: string): Promise<AccountView> {
    return this.read(caller.orgId, caller, id, displayCurrency);
  }

  async getByExternalId(caller: Caller, externalId: string): Promise<AccountView> {
    const row = await this.repo.findByExternalId(caller, externalId);
    if (!row) throw new NotFoundError('account with external_id', JSON.stringify(externalId));
    return this.afterWrite(row);
  }

  /** Not found unless the account exists in the caller's organisation and is visible to them. */
  async ensureVisible(caller: Caller, id: number): Promise<void> {
    await checkAccountVisible(this.knex, caller, id);
  }

  async history(caller: Caller, id: number) {
    const row = await this.repo.findById(caller, id);
    if (!row) throw new NotFoundError('account', id);
    return listHistory(await lagTolerantReader(this.knex), caller.orgId, id);
  }

  /** A written row as a view: from the row when it carries relations and balance, else read back. */
  afterWrite(row: AccountRow): Promise<AccountView> {
    if (!('rel_balance' in row)) return this.read(row.org_id, undefined, row.id);
    return this.build(row as FullRow);
  }

  /** A just-created account with no related sets: nothing to read back (no invoices, no relations). */
  created(row: AccountRow): Promise<AccountView> {
    return this.build({ ...row, rel_balance: null });
  }

  /** Rows in batches of the list query `query` (filters, order, paging as parsed by src/query). */
  list(caller: Caller, query: Record<string, unknown>): Promise<ListResult<AccountBatch>> {
    return this.listOf<AccountRow, AccountBatch>(caller, query);
  }

  /** The same list with each item's JSON text written by PostgreSQL (record-sql.ts): lists, streams, exports. */
  listJson(caller: Caller, query: Record<string, unknown>, opts: StreamOptions = {}): Promise<ListResult<AccountJsonBatch>> {
    return this.listOf<ItemJsonRow, AccountJsonBatch>(caller, query, (q) => ({
      ...opts,
      tableColumns: ['id', 'company_id'],
      ...listItemJson(this.knex, caller.role === 'admin' && inIdOrder(q)),
    }));
  }

  /** CSV records of the list written by PostgreSQL (record-sql.ts csvLineColumn), one batch a cursor fetch. */
  listCsv(caller: Caller, query: Record<string, unknown>, customKeys: readonly string[], opts: StreamOptions = {}): Promise<ListResult<string[]>> {
    const csv = { tableColumns: ['id'], columns: [csvLineColumn(this.knex, customKeys)], ...opts };
    return this.listOf<{ id: number; csv_line: string }, string[]>(caller, query, () => csv, async (rows) => [rows.map((r) => r.csv_line)]);
  }

  private async listOf<Row extends { id: number }, Batch>(
    caller: Caller,
    query: Record<string, unknown>,
    select: (q: ListQuery) => { tableColumns?: string[]; columns?: Knex.Raw[]; join?: string; streamBatch?: number } = () => ({}),
    batch?: (rows: Row[]) => Promise<Batch[]>,
  ): Promise<ListResult<Batch>> {
    const needsCustom = Object.keys(query).some((k) => k.startsWith('custom_fields.') || (k === '_order' && String(query[k]).includes('custom_fields.')));
    const customFields = needsCustom ? await loadDefinitions(this.knex, caller.orgId, 'crm/accounts') : new Map();
    const q = parseListQuery(query, { catalogue: accountCatalogue, customFields, maxLimit: this.maxLimit });
    const companies = await this.companies.get(this.knex, caller.orgId);
    // listRows hands out items per batch: here one item per batch, the batch itself (no object per row).
    const list = await listRows<Row, Batch>({
      knex: this.knex,
      scoped: this.repo.scoped(caller),
      catalogue: accountCatalogue,
      q,
      softDelete: true,
      ...select(q),
      serialize: batch ?? (async (rows, db) => [{ rows, companies, related: await this.repo.related(caller.orgId, rows.map((r) => r.id), db) } as Batch]),
    });
    return { pagination: list.pagination, batches: list.batches };
  }

  private async read(orgId: number, viewer: Viewer | undefined, id: number, displayCurrency?: string): Promise<AccountView> {
    // With a display currency, its currencies and rates are read alongside: one round trip either way.
    const [row, conversion] = await Promise.all([
      this.repo.findFull(orgId, viewer, id),
      displayCurrency === undefined ? undefined : conversionData(this.knex, orgId),
    ]);
    if (!row) throw new NotFoundError('account', id);
    return this.build(row, displayCurrency, conversion);
  }

  private async build(row: FullRow, displayCurrency?: string, conversion?: ConversionData): Promise<AccountView> {
    const [companies, balance] = await Promise.all([
      this.companies.get(this.knex, row.org_id, row.company_id),
      balanceFrom(this.knex, row.org_id, row.rel_balance, displayCurrency, conversion),
    ]);
    return { row, companies, related: relatedFromRows([row]), balance };
  }
}
