import { Knex } from 'knex';
import type { Caller } from '../../core/caller';
import { ValidationError } from '../../core/errors';
import { clientErrorOf } from '../../db/errors';
import { AccountRepo } from './repo';
import type { ImportItem, ImportOutcome } from './types';
import { AccountWrites, Written } from './writes';

/**
 * One batch of an import record by record, each in its own savepoint, so a record that the
 * database refuses is reported and skipped, not fatal: the fallback of the set-based import
 * (import-batch.ts) when a batch hits a database error. Items carry typed data (the import's
 * RecordReader ran). Records match on external_id, else import_id. `within` runs in the same
 * transaction before it commits (the import's checkpoint).
 */
export async function importRecordByRecord(
  knex: Knex,
  repo: AccountRepo,
  writes: AccountWrites,
  caller: Caller,
  items: ImportItem[],
  within?: (trx: Knex, outcomes: ImportOutcome[]) => Promise<void>,
): Promise<ImportOutcome[]> {
  const importOne = async (db: Knex, item: ImportItem): Promise<Written> => {
    if (item.errors) throw new ValidationError(item.errors);
    const input = writes.validate('AccountUpdate', item.data);
    const externalId = typeof input.external_id === 'string' && input.external_id !== '' ? input.external_id : undefined;
    if (externalId) return writes.upsertIn(db, caller, externalId, input, {});
    const importId = typeof input.import_id === 'string' && input.import_id !== '' ? input.import_id : undefined;
    const existing = importId ? await repo.findByImportId(caller, importId, db) : undefined;
    if (existing) {
      const row = await writes.updateIn(db, caller, existing, input);
      return { row, created: false, unchanged: row === existing };
    }
    const missing = ['company_id', 'name'].filter((f) => input[f] === undefined || input[f] === null);
    if (missing.length) throw new ValidationError(missing.map((field) => ({ field, message: 'is required to create an account' })));
    return { row: await writes.insertIn(db, caller, input), created: true };
  };

  const outcome = async (item: ImportItem, run: () => Promise<Written>): Promise<ImportOutcome> => {
    try {
      const r = await run();
      return { line: item.line, result: r.created ? 'created' : r.unchanged ? 'unchanged' : 'updated', id: r.row.id };
    } catch (e) {
      // The record's fault: reported for its line. Anything else (the database gone) ends the import.
      const err = clientErrorOf(e);
      if (!err) throw e;
      return { line: item.line, result: 'failed', errors: err.details ?? [{ field: '(record)', message: err.message }] };
    }
  };

  return knex.transaction(async (trx) => {
    const out: ImportOutcome[] = [];
    for (const item of items) out.push(await outcome(item, () => trx.transaction((sp) => importOne(sp, item))));
    await within?.(trx, out);
    return out;
  });
}
