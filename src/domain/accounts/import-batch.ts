import { Knex } from 'knex';
import type { Caller } from '../../core/caller';
import { FieldProblem as ErrorDetail, ValidationError } from '../../core/errors';
import { loadDefinitions, validateCustomFields } from '../custom-fields/service';
import { CustomFieldDefinition } from '../../query/catalogue';
import { changedCustomFields, changedValues } from './changes';
import { RELATION_FIELDS, RelationField, WRITABLE_FIELDS } from './fields';
import { createChangesSql, insertAccounts, updateAccounts } from './import-statements';
import { historyRow, HistoryRow, insertHistory } from './history';
import { checkAccountReferences, KnownIds } from './references';
import { changedRelations, linkedIds, RelationLookups, ResolvedRelations, resolveRelations, tagNames, writeRelationsOf } from './relations';
import { AccountRepo, AccountRow, relationWire } from './repo';
import { AccountService } from './service';
import type { ImportItem, ImportOutcome, RecordReader } from './types';

/** A record checked in memory: the request-body schema, custom fields and company, as the API checks them. */
export interface CheckedRecord {
  item: ImportItem;
  input: Record<string, unknown>;
  /** Writable columns the record sets. */
  values: Record<string, unknown>;
  customFields: Record<string, unknown>;
  /** What a re-run finds the account by: external_id, else import_id; none for an unkeyed record. */
  key?: { column: 'external_id' | 'import_id'; value: string };
  errors: ErrorDetail[];
}

/** An error raised by PostgreSQL itself (it carries a SQLSTATE): the batch's transaction is aborted. */
function isDatabaseError(e: unknown): boolean {
  return typeof (e as { code?: unknown })?.code === 'string' && /^[0-9A-Z]{5}$/.test((e as { code: string }).code) && !(e instanceof Error && 'status' in e);
}

/** Thrown to roll a dry run's batch back once its outcomes are known. */
class DryRunRollback extends Error {
  constructor(readonly outcomes: ImportOutcome[]) {
    super('dry run');
  }
}

/** A checked record for the record-by-record fallback: its typed input, or its errors. */
function typedItem(r: CheckedRecord): ImportItem {
  if (r.errors.length) return { line: r.item.line, data: r.item.data, errors: r.errors };
  return { line: r.item.line, data: r.input.custom_fields === undefined ? r.input : { ...r.input, custom_fields: r.customFields } };
}

/** A batch the set-based path does not take (one account named twice): done record by record instead. */
class NeedsRecordByRecord extends Error {}

/**
 * The set-based import of accounts: a batch of records is checked in memory by the API's own rules
 * (openapi.yaml's AccountUpdate schema through AccountService.validateRecord, validateCustomFields,
 * the relation and reference checks), then written in one transaction with a handful of statements
 * whatever its size: one SELECT ... FOR UPDATE matches the keys, one INSERT ... SELECT FROM
 * jsonb_to_recordset creates, one UPDATE ... FROM jsonb_to_recordset changes (only the rows where
 * something differs: an identical record writes nothing), one DELETE and one INSERT per relation,
 * one INSERT of history rows. A batch the database refuses is redone record by record in savepoints
 * (AccountService.importBatch), so one bad record never sinks its neighbours.
 */
export class AccountImporter {
  private readonly repo: AccountRepo;
  private readonly service: AccountService;
  private defs = new Map<string, CustomFieldDefinition>();
  private companies = new Set<number>();
  private lookups = new RelationLookups();
  /** SQL of a created account's history changes (see createChangesSql), once the custom fields are known. */
  private createChanges?: string;

  constructor(private readonly knex: Knex, private readonly caller: Caller, private readonly reader: RecordReader, private readonly dryRun = false) {
    this.repo = new AccountRepo(knex);
    this.service = new AccountService(knex, 10000);
  }

  /** Loads what every record is checked against: custom field definitions, companies, industries, users, teams. */
  async init(): Promise<this> {
    const orgId = this.caller.orgId;
    this.defs = await loadDefinitions(this.knex, orgId, 'crm/accounts');
    this.companies = new Set((await this.knex('companies').where({ org_id: orgId }).select('id')).map((r) => r.id as number));
    this.lookups = await RelationLookups.preload(this.knex, orgId);
    this.createChanges = createChangesSql([...this.defs.keys()]);
    return this;
  }

  customFieldKeys(): string[] {
    return [...this.defs.keys()];
  }

  /** Every error of one record that can be known without the database, all at once. */
  check(item: ImportItem): CheckedRecord {
    const errors: ErrorDetail[] = [...(item.errors ?? [])];
    const out: CheckedRecord = { item, input: {}, values: {}, customFields: {}, errors };
    if (errors.length) return out;
    try {
      out.input = this.service.validateRecord(this.reader.read(item.data));
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      errors.push(...(e.details ?? []));
    }
    const raw = errors.length ? item.data : out.input;
    if (raw.custom_fields !== undefined && typeof raw.custom_fields === 'object' && raw.custom_fields !== null && !Array.isArray(raw.custom_fields)) {
      try {
        out.customFields = validateCustomFields(this.reader.customFields(raw.custom_fields as Record<string, unknown>, this.defs), this.defs);
      } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        for (const d of e.details ?? []) if (!errors.some((x) => x.field === d.field)) errors.push(d);
      }
    }
    const company = raw.company_id;
    if (typeof company === 'number' && !this.companies.has(company) && !errors.some((x) => x.field === 'company_id')) {
      errors.push({ field: 'company_id', message: `company ${company} does not exist` });
    }
    if (errors.length) return out;
    for (const [k, v] of Object.entries(out.input)) if (WRITABLE_FIELDS.has(k)) out.values[k] = v;
    const ext = out.input.external_id;
    const imp = out.input.import_id;
    if (typeof ext === 'string' && ext !== '') out.key = { column: 'external_id', value: ext };
    else if (typeof imp === 'string' && imp !== '') out.key = { column: 'import_id', value: imp };
    return out;
  }

  /**
   * Writes one batch (records in file order; no key twice: the caller starts a new batch instead)
   * in one transaction. `within` runs in that transaction before it commits (the import's
   * checkpoint). A dry run does everything and rolls back.
   */
  async apply(records: CheckedRecord[], within?: (trx: Knex, outcomes: ImportOutcome[]) => Promise<void>): Promise<ImportOutcome[]> {
    const finish = async (trx: Knex, outcomes: ImportOutcome[]) => {
      await within?.(trx, outcomes);
      if (this.dryRun) throw new DryRunRollback(outcomes);
    };
    try {
      return await this.knex.transaction(async (trx) => {
        const outcomes = await this.write(trx, records);
        await finish(trx, outcomes);
        return outcomes;
      });
    } catch (e) {
      // Ids remembered from a rolled-back transaction (new tags) no longer exist.
      this.lookups.tags.clear();
      if (e instanceof DryRunRollback) return e.outcomes;
      if (!isDatabaseError(e) && !(e instanceof NeedsRecordByRecord)) throw e;
      try {
        return await this.service.importBatch(this.caller, records.map(typedItem), finish);
      } catch (again) {
        if (again instanceof DryRunRollback) return again.outcomes;
        throw again;
      }
    }
  }

  private async write(trx: Knex, records: CheckedRecord[]): Promise<ImportOutcome[]> {
    const { orgId, id: userId } = this.caller;
    const outcomes: ImportOutcome[] = records.map((r) => ({ line: r.item.line, result: 'failed', errors: r.errors }));
    const live = records.map((r, i) => ({ r, i })).filter(({ r }) => r.errors.length === 0);

    // 1. Match: the accounts these keys name, locked for this transaction.
    const keys = { external_id: [] as string[], import_id: [] as string[] };
    for (const { r } of live) if (r.key) keys[r.key.column].push(r.key.value);
    // One query per key column (an OR of both would not use their indexes).
    const found: AccountRow[] = [];
    for (const column of ['external_id', 'import_id'] as const) {
      if (keys[column].length === 0) continue;
      found.push(...(await this.repo.scoped(this.caller, trx).whereRaw(`accounts.${column} = ANY(?::text[])`, [keys[column]]).orderBy('accounts.id').forUpdate().select('accounts.*')));
    }
    const byKey = { external_id: new Map<string, AccountRow>(), import_id: new Map<string, AccountRow>() };
    found.sort((a, b) => a.id - b.id);
    for (const row of found) {
      if (row.external_id) byKey.external_id.set(row.external_id as string, row);
      // The oldest account with an import_id is the one a re-run updates (as the record-by-record path does).
      if (row.import_id && !byKey.import_id.has(row.import_id as string)) byKey.import_id.set(row.import_id as string, row);
    }

    // 2. What each record would change.
    type Plan = { r: CheckedRecord; i: number; existing?: AccountRow; values: Record<string, unknown>; customFields: Record<string, unknown>; relations: ResolvedRelations };
    const plans: Plan[] = [];
    const matched = new Set<number>();
    for (const { r, i } of live) {
      const existing = r.key ? byKey[r.key.column].get(r.key.value) : undefined;
      if (existing) {
        if (matched.has(existing.id)) throw new NeedsRecordByRecord();
        matched.add(existing.id);
        plans.push({ r, i, existing, values: changedValues(existing, r.values), customFields: changedCustomFields(existing.custom_fields, r.customFields), relations: {} });
        continue;
      }
      const missing = ['company_id', 'name'].filter((f) => r.input[f] === undefined || r.input[f] === null);
      if (missing.length) {
        const why = r.key?.column === 'external_id' ? ` (no account has external_id "${r.key.value}")` : '';
        r.errors.push(...missing.map((field) => ({ field, message: `is required to create an account${why}` })));
        continue;
      }
      plans.push({ r, i, values: r.values, customFields: r.customFields, relations: {} });
    }

    // 3. Relations and references, with every lookup done once for the batch.
    await this.lookups.ensureTags(trx, orgId, plans.flatMap((p) => (p.r.input.tags !== undefined ? tagNames(p.r.input) : [])));
    const fieldsGiven = RELATION_FIELDS.filter((f) => plans.some((p) => p.r.input[f] !== undefined));
    const current = await linkedIds(trx, orgId, fieldsGiven.length ? plans.filter((p) => p.existing).map((p) => p.existing!.id) : [], fieldsGiven);
    const known = await this.knownIds(trx, plans);
    for (const p of plans) {
      if (fieldsGiven.some((f) => p.r.input[f] !== undefined)) {
        const rel = await resolveRelations(trx, orgId, p.r.input, p.r.errors, this.lookups);
        p.relations = p.existing ? changedRelations(rel, current, p.existing.id) : rel;
      }
      await checkAccountReferences(trx, this.caller, p.values, p.existing?.id, p.r.errors, known);
      if (p.existing && p.values.is_deleted !== undefined) {
        try {
          this.service.checkMayDelete(this.caller, p.existing);
        } catch (e) {
          p.r.errors.push({ field: 'is_deleted', message: (e as Error).message });
        }
      }
    }
    const ok = plans.filter((p) => p.r.errors.length === 0);
    const creates = ok.filter((p) => !p.existing);
    const updates = ok.filter((p) => p.existing && Object.keys(p.values).length + Object.keys(p.customFields).length + Object.keys(p.relations).length > 0);
    for (const p of ok) if (p.existing) outcomes[p.i] = { line: p.r.item.line, result: 'unchanged', id: p.existing.id };

    // 4. Creates: ids drawn first, so each returned row is known to belong to its record.
    const created = new Map<number, AccountRow>();
    if (creates.length) {
      const { rows: ids } = (await trx.raw(`SELECT nextval(pg_get_serial_sequence('accounts', 'id'))::int AS id FROM generate_series(1, ?::int)`, [creates.length])) as { rows: { id: number }[] };
      creates.forEach((p, n) => (p.values = { ...p.values, id: ids[n].id }));
      // Records of one file mostly set the same columns: one INSERT per set of columns.
      const groups = new Map<string, Plan[]>();
      for (const p of creates) {
        const sig = Object.keys(p.values).sort().join(',');
        groups.set(sig, [...(groups.get(sig) ?? []), p]);
      }
      for (const [sig, group] of groups) {
        const rows = group.map((p) => ({ ...p.values, org_id: orgId, created_by: userId, custom_fields: p.customFields }));
        // A record without relations gets its `create` history row in the same statement, built by
        // PostgreSQL from the inserted row; nothing comes back to Node. Records with relations take
        // the general path (their history needs the relations' wire form).
        const inSql = this.createChanges !== undefined && group.every((p) => Object.keys(p.relations).length === 0);
        const inserted = await insertAccounts(trx, sig.split(','), rows, { userId, historyChanges: inSql ? this.createChanges : undefined });
        for (const row of inserted) created.set(row.id, row);
      }
      for (const p of creates) outcomes[p.i] = { line: p.r.item.line, result: 'created', id: p.values.id as number };
    }

    // 5. Updates: the merged row of each record that changes something (only those: the trigger
    //    moves version and `updated` on every row an UPDATE touches).
    const updated = new Map<number, AccountRow>();
    if (updates.length) {
      const after = await updateAccounts(trx, orgId, updates.map((p) => ({ existing: p.existing!, values: p.values, customFields: p.customFields })));
      for (const row of after) updated.set(row.id, row);
      for (const p of updates) outcomes[p.i] = { line: p.r.item.line, result: 'updated', id: p.existing!.id };
    }

    // 6. Relations, with their before/after for history.
    const relWrites = new Map<number, ResolvedRelations>();
    for (const p of [...creates, ...updates]) if (Object.keys(p.relations).length) relWrites.set(p.existing?.id ?? (p.values.id as number), p.relations);
    const relIds = [...relWrites.keys()];
    const before = relIds.length ? await this.repo.related(orgId, relIds, trx) : undefined;
    await writeRelationsOf(trx, orgId, relWrites);
    const afterRel = relIds.length ? await this.repo.related(orgId, relIds, trx) : undefined;

    // 7. History: one row per account that changed, in the same transaction.
    const history: HistoryRow[] = [];
    for (const p of [...creates, ...updates]) {
      const id = p.existing?.id ?? (p.values.id as number);
      const row = p.existing ? updated.get(id) : created.get(id);
      if (!row) continue;
      const relChanges: Record<string, { old: unknown; new: unknown }> = {};
      const rel = relWrites.get(id);
      if (rel && before && afterRel) {
        const [o, n] = [relationWire(before, id), relationWire(afterRel, id)];
        for (const f of Object.keys(rel) as RelationField[]) {
          if (JSON.stringify(o[f]) !== JSON.stringify(n[f])) relChanges[f] = { old: o[f], new: n[f] };
        }
      }
      const h = historyRow(userId, p.existing, row, relChanges);
      if (h) history.push(h);
    }
    await insertHistory(trx, history);
    return outcomes;
  }

  /** The contacts and parent accounts a batch names that exist in the organisation: two queries. */
  private async knownIds(trx: Knex, plans: { values: Record<string, unknown> }[]): Promise<KnownIds> {
    const contacts = new Set<number>();
    const accounts = new Set<number>();
    for (const p of plans) {
      for (const f of ['primary_contact_id', 'initial_contact_id']) if (typeof p.values[f] === 'number') contacts.add(p.values[f] as number);
      if (typeof p.values.parent_id === 'number') accounts.add(p.values.parent_id);
    }
    const orgId = this.caller.orgId;
    const ids = async (table: string, want: Set<number>) =>
      new Set(want.size ? (await trx(table).where({ org_id: orgId }).whereRaw('id = ANY(?::int[])', [[...want]]).pluck('id')) as number[] : []);
    return { contacts: await ids('contacts', contacts), accounts: await ids('accounts', accounts) };
  }
}
