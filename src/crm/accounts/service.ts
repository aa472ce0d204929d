import { Knex } from 'knex';
import { Caller } from '../../auth/basic';
import { BodyFormat } from '../../http/body';
import { NotFoundError, ValidationError } from '../../http/errors';
import { validateBody } from '../../openapi/validator';
import { companyExists, loadCompanies } from '../../orgs/companies';
import { loadDefinitions, validateCustomFields } from '../../meta/custom-fields';
import { cursorBatches } from '../../db/cursor';
import { ListQuery, parseListQuery } from '../../query/parse';
import { applyFilters, applyOrder } from '../../query/apply';
import { accountCatalogue, WRITABLE_FIELDS } from './fields';
import { AccountRepo, AccountRow } from './repo';
import { Balance, serializeAccount } from './serialize';

const STREAM_BATCH = 1000;

/** Fields a response shows but a client cannot set. */
const READ_ONLY = new Set([
  'id', 'created', 'updated', 'company', 'balance', 'converted_balance', 'default_price_level',
]);

export interface ListResult {
  /** Set when the client asked for `_page`: drives the X-Pagination-* headers. */
  pagination?: { page: number; per: number; total: number; pages: number };
  batches: AsyncIterable<Record<string, unknown>[]>;
}

/** Rules for accounts: validation, organisation scope, soft delete, custom fields. */
export class AccountService {
  private readonly repo: AccountRepo;

  constructor(private readonly knex: Knex, private readonly maxLimit: number) {
    this.repo = new AccountRepo(knex);
  }

  async get(caller: Caller, id: number, _opts: { displayCurrency?: string } = {}): Promise<Record<string, unknown>> {
    const row = await this.repo.findById(caller.orgId, id);
    if (!row) throw new NotFoundError('account', id);
    return this.full(row);
  }

  async create(caller: Caller, body: unknown, format: BodyFormat): Promise<Record<string, unknown>> {
    const input = this.validate('AccountCreate', body, format);
    const { values, customFields } = await this.prepare(caller, input, format);
    const row = await this.repo.insert({
      ...values,
      org_id: caller.orgId,
      created_by: caller.id,
      custom_fields: JSON.stringify(customFields),
      ...(values.is_deleted ? { deleted_at: this.knex.fn.now() } : {}),
    });
    return this.full(row);
  }

  async update(caller: Caller, id: number, body: unknown, format: BodyFormat): Promise<Record<string, unknown>> {
    const input = this.validate('AccountUpdate', body, format);
    const existing = await this.repo.findById(caller.orgId, id);
    if (!existing) throw new NotFoundError('account', id);
    const { values, customFields } = await this.prepare(caller, input, format);
    if (values.is_deleted === true && !existing.is_deleted) values.deleted_at = this.knex.fn.now();
    if (values.is_deleted === false) values.deleted_at = null;
    const row = await this.repo.update(caller.orgId, id, values, customFields);
    if (!row) throw new NotFoundError('account', id);
    return this.full(row);
  }

  /** Soft delete; deleting a deleted account changes nothing and answers the same. */
  async remove(caller: Caller, id: number): Promise<Record<string, unknown>> {
    const existing = await this.repo.findById(caller.orgId, id);
    if (!existing) throw new NotFoundError('account', id);
    if (existing.is_deleted) return this.full(existing);
    const row = await this.repo.update(caller.orgId, id, { is_deleted: true, deleted_at: this.knex.fn.now() }, undefined);
    return this.full(row!);
  }

  async list(caller: Caller, query: Record<string, unknown>): Promise<ListResult> {
    const needsCustom = Object.keys(query).some((k) => k.startsWith('custom_fields.') || (k === '_order' && String(query[k]).includes('custom_fields.')));
    const customFields = needsCustom ? await loadDefinitions(this.knex, caller.orgId, 'crm/accounts') : new Map();
    const q = parseListQuery(query, { catalogue: accountCatalogue, customFields, maxLimit: this.maxLimit });
    const base = this.filtered(caller, q);
    let pagination: ListResult['pagination'];
    const rowsQuery = applyOrder(base.clone().select('accounts.*'), q, accountCatalogue);
    if (q.limit !== undefined) rowsQuery.limit(q.limit);
    if (q.page !== undefined) {
      const per = q.limit ?? 50;
      rowsQuery.offset((q.page - 1) * per);
      const [{ count }] = await base.clone().count({ count: '*' });
      const total = Number(count);
      pagination = { page: q.page, per, total, pages: Math.ceil(total / per) };
    }
    const companies = await loadCompanies(this.knex, caller.orgId);
    const repo = this.repo;
    const knex = this.knex;
    const serialize = async (rows: AccountRow[], db: Knex) => {
      const related = await repo.related(rows.map((r) => r.id), db);
      return rows.map((r) => serializeAccount(r, { companies, related }));
    };
    // A bounded page is one plain query; an unbounded list goes through a cursor, batch by batch.
    const batches: AsyncIterable<Record<string, unknown>[]> =
      q.limit !== undefined && q.limit <= STREAM_BATCH
        ? (async function* () {
            yield await serialize((await rowsQuery) as AccountRow[], knex);
          })()
        : cursorBatches(knex, rowsQuery, STREAM_BATCH, serialize);
    return { pagination, batches };
  }

  private filtered(caller: Caller, q: ListQuery): Knex.QueryBuilder {
    const qb = applyFilters(this.repo.scoped(caller.orgId), q, accountCatalogue);
    // Soft-deleted accounts are left out unless the client asks about is_deleted itself.
    if (!q.mentions('is_deleted')) qb.where('accounts.is_deleted', false);
    return qb;
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

  /** Checked body → column values and custom fields; references checked against the caller's org. */
  private async prepare(caller: Caller, input: Record<string, unknown>, format: BodyFormat) {
    const values: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(input)) if (WRITABLE_FIELDS.has(k)) values[k] = v;
    if (values.company_id !== undefined && !(await companyExists(this.knex, caller.orgId, values.company_id as number))) {
      throw new ValidationError([{ field: 'company_id', message: `company ${values.company_id} does not exist` }]);
    }
    let customFields: Record<string, unknown> = {};
    if (input.custom_fields !== undefined) {
      const defs = await loadDefinitions(this.knex, caller.orgId, 'crm/accounts');
      customFields = validateCustomFields(input.custom_fields, defs, format);
    }
    return { values, customFields };
  }

  private async full(row: AccountRow): Promise<Record<string, unknown>> {
    const [companies, related] = await Promise.all([
      loadCompanies(this.knex, row.org_id, [row.company_id]),
      this.repo.related([row.id]),
    ]);
    const balance: Balance = { balance: {}, converted_balance: null };
    return serializeAccount(row, { companies, related, balance });
  }
}
