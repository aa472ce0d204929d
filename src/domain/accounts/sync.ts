import { Knex } from 'knex';
import type { Caller } from '../../core/caller';
import { FieldProblem, ValidationError } from '../../core/errors';
import { checkVersion } from '../../core/versions';
import { clientErrorOf } from '../../db/errors';
import { AccountRepo } from './repo';
import type { AccountInput, BulkOperation, BulkResult, WriteOptions } from './types';
import { AccountWrites, Written } from './writes';

/**
 * What sync jobs use: upsert by external_id (safe under concurrent creates) and bulk writes
 * (all or nothing, every failed item reported with its index).
 */
export class AccountSync {
  constructor(
    private readonly knex: Knex,
    private readonly repo: AccountRepo,
    private readonly writes: AccountWrites,
  ) {}

  /**
   * Creates or updates the account with this external_id. The unique index on
   * (org_id, external_id) settles races: a create that loses to a concurrent one retries as an update.
   */
  async upsertByExternalId(caller: Caller, externalId: string, data: AccountInput, opts: WriteOptions = {}): Promise<Written> {
    const input = this.writes.validate('AccountUpdate', data);
    if (input.external_id !== undefined && input.external_id !== externalId) {
      throw new ValidationError([{ field: 'external_id', message: `differs from the external_id in the path ("${externalId}")` }]);
    }
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.knex.transaction((trx) => this.writes.upsertIn(trx, caller, externalId, input, opts));
      } catch (e) {
        // A concurrent create won the unique index: now the row exists, so this becomes an update.
        if ((e as { code?: string }).code === '23505' && attempt === 0) continue;
        throw e;
      }
    }
  }

  /** Up to `max` creates/updates/upserts in one transaction: all or nothing. */
  async bulk(caller: Caller, ops: BulkOperation[], max: number): Promise<{ results: BulkResult[] }> {
    if (ops.length > max) {
      throw new ValidationError([{ field: 'operations', message: `holds ${ops.length} operations; at most ${max} per request` }]);
    }
    const details: FieldProblem[] = [];
    const results = await this.knex.transaction(async (trx) => {
      const out: BulkResult[] = [];
      for (const [index, op] of ops.entries()) {
        try {
          const result = await trx.transaction(async (sp) => this.bulkOne(sp, caller, op));
          out.push({ index, result: result.created ? 'created' : 'updated', id: result.row.id, external_id: result.row.external_id ?? null, version: result.row.version });
        } catch (e) {
          // The input's fault (a rule, a unique clash): reported with the item's index. Anything else is the server's.
          const err = clientErrorOf(e);
          if (!err) throw e;
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

  private async bulkOne(db: Knex, caller: Caller, op: BulkOperation): Promise<Written> {
    if (op.action === 'create') {
      const input = this.writes.validate('AccountCreate', op.data);
      return { row: await this.writes.insertIn(db, caller, input), created: true };
    }
    if (op.action === 'update') {
      if (op.id === undefined) throw new ValidationError([{ field: 'id', message: 'is required for an update' }]);
      const input = this.writes.validate('AccountUpdate', op.data);
      const existing = await this.repo.findById(caller, op.id, db, true);
      if (!existing) throw new ValidationError([{ field: 'id', message: `account ${op.id} does not exist` }]);
      checkVersion(op.expected, existing.version);
      return { row: await this.writes.updateIn(db, caller, existing, input), created: false };
    }
    if (op.external_id === undefined) throw new ValidationError([{ field: 'external_id', message: 'is required for an upsert' }]);
    const input = this.writes.validate('AccountUpdate', op.data);
    return this.writes.upsertIn(db, caller, op.external_id, input, { expected: op.expected });
  }
}
