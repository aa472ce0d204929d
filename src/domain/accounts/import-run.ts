import path from 'node:path';
import { Knex } from 'knex';
import type { Caller } from '../../core/caller';
import { WRITABLE_FIELDS } from './fields';
import { AccountImporter, CheckedRecord } from './import-batch';
import { fingerprint, IMPORT_BATCH, ImportFileError, readImportFile, SKIPPED_KEYS } from './import-file';
import type { ImportOutcome, RecordReader } from './types';
import { analyzeTables } from '../../db/statistics';

/**
 * Rows created before the first ANALYZE of accounts during an import (then at every doubling). One
 * batch: the plan of the foreign-key check that each history row makes on `accounts` is made at the
 * first batch and kept until the next ANALYZE; made on a (nearly) empty table it is a sequential scan,
 * which cost 0.9 s per batch at 10,000 rows and made a 100,000-row import into an empty database 3×
 * slower than it should be (bench/README.md).
 */
const ANALYZE_EVERY = IMPORT_BATCH;
/** Failures kept in the summary object (the CLI prints every one as it happens). */
const KEPT_FAILURES = 1000;

export interface ImportOptions {
  dryRun?: boolean;
  /** Import a file again whose records have no key, although an earlier run finished it. */
  allowDuplicates?: boolean;
  batchSize?: number;
  onProgress?: (p: { records: number; bytes: number; totalBytes: number }) => void;
  onFailure?: (f: ImportOutcome) => void;
}

export interface ImportSummary {
  /** Records of the file: in a resumed run, those of the earlier runs too. */
  total: number;
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
  /** Records without external_id or import_id (each created anew by every run). */
  unkeyed: number;
  /** The first failures of this run (the CLI prints all of them as they happen). */
  failures: ImportOutcome[];
  /** Records skipped because an interrupted run had committed them already. */
  resumedAfter: number;
  dryRun: boolean;
  importId?: number;
}

type Counts = Pick<ImportSummary, 'created' | 'updated' | 'unchanged' | 'failed' | 'unkeyed'>;

/** Columns a CSV may have: the writable fields, the read-only ones an export writes, and defined custom fields. */
function headerCheck(file: string, customKeys: string[]) {
  const custom = new Set(customKeys);
  return (columns: string[]) => {
    for (const c of columns) {
      if (WRITABLE_FIELDS.has(c) || SKIPPED_KEYS.has(c)) continue;
      if (c.startsWith('custom_fields.') && custom.has(c.slice('custom_fields.'.length))) continue;
      const hint = c.startsWith('custom_fields.') ? `; defined: ${customKeys.join(', ') || '(none)'} (add one with: v2crm custom-field add)` : '';
      throw new ImportFileError(`cannot import ${file}: column "${c}" is not an account field${hint}`);
    }
  };
}

/**
 * Imports a file of accounts: streamed, checked by the API's rules, written in set-based batches.
 * Each batch commits with a checkpoint in `account_imports`, so an interrupted run of the same
 * file (same SHA-256) resumes after its last committed batch; a finished file with unkeyed records
 * is refused unless `allowDuplicates`. A dry run checks and writes everything, then rolls back.
 */
export async function runImport(knex: Knex, caller: Caller, file: string, format: 'json' | 'csv', reader: RecordReader, opts: ImportOptions = {}): Promise<ImportSummary> {
  const print = await fingerprint(file);
  const importer = await new AccountImporter(knex, caller, reader, opts.dryRun).init();
  const counts: Counts = { created: 0, updated: 0, unchanged: 0, failed: 0, unkeyed: 0 };
  let skip = 0;
  let runId: number | undefined;
  if (!opts.dryRun) {
    const last = await knex('account_imports').where({ org_id: caller.orgId, file_sha256: print.sha256 }).orderBy('id', 'desc').first();
    if (last?.state === 'running') {
      runId = last.id as number;
      skip = last.records_done;
      for (const k of Object.keys(counts) as (keyof Counts)[]) counts[k] = last[k];
    } else if (last && last.unkeyed > 0 && !opts.allowDuplicates) {
      throw new ImportFileError(
        `cannot import ${file} again: it was imported by import ${last.id} (finished ${new Date(last.finished_at).toISOString().slice(0, 19)}Z) and ${last.unkeyed} of its records ` +
          'have neither external_id nor import_id, so a new run would create them again; pass --allow-duplicates to do that',
      );
    }
    runId ??= (
      await knex('account_imports')
        .insert({ org_id: caller.orgId, user_id: caller.id, file_name: path.basename(file), file_sha256: print.sha256, file_bytes: print.bytes, format })
        .returning('id')
    )[0].id as number;
  }

  const summary: ImportSummary = { total: 0, ...counts, failures: [], resumedAfter: skip, dryRun: Boolean(opts.dryRun), importId: runId };
  const batchSize = opts.batchSize ?? IMPORT_BATCH;
  let batch: CheckedRecord[] = [];
  let batchKeys = new Set<string>();
  let seen = 0;
  let bytes = 0;
  let analyzedAt = 0;

  /** Writes one batch and records its checkpoint; failures are reported in file order. */
  const write = async (records: CheckedRecord[], done: number) => {
    const delta: Counts = { created: 0, updated: 0, unchanged: 0, failed: 0, unkeyed: records.filter((r) => r.errors.length === 0 && !r.key).length };
    const outcomes = await importer.apply(records, async (trx, out) => {
      for (const o of out) delta[o.result]++;
      if (runId === undefined) return;
      // The checkpoint commits with the batch: a kill between batches loses nothing and redoes nothing.
      await trx('account_imports')
        .where({ id: runId })
        .update({
          records_done: done,
          ...Object.fromEntries(Object.entries(delta).map(([k, v]) => [k, trx.raw('?? + ?', [k, v])])),
        });
    });
    for (const k of Object.keys(delta) as (keyof Counts)[]) summary[k] += delta[k];
    for (const o of outcomes) {
      if (o.result !== 'failed') continue;
      opts.onFailure?.(o);
      if (summary.failures.length < KEPT_FAILURES) summary.failures.push(o);
    }
    // A big import into a small table leaves the planner's statistics far behind (it would scan the
    // whole table for each batch's keys): refresh them each time the rows this run created doubled.
    if (!opts.dryRun && summary.created - analyzedAt >= Math.max(ANALYZE_EVERY, analyzedAt)) {
      await knex.raw('ANALYZE accounts');
      analyzedAt = summary.created;
    }
    opts.onProgress?.({ records: done, bytes, totalBytes: print.bytes });
  };
  // One batch is written while the next is read and checked (the database and the parser work at
  // the same time); batches still commit one after the other, in file order.
  let inflight: Promise<void> = Promise.resolve();
  const flush = async () => {
    if (batch.length === 0) return;
    const records = batch;
    batch = [];
    batchKeys = new Set();
    await inflight;
    inflight = write(records, seen);
    inflight.catch(() => undefined);
  };

  const records = readImportFile(file, format, { checkHeader: headerCheck(file, importer.customFieldKeys()), onBytes: (b) => (bytes = b) });
  for await (const item of records) {
    seen++;
    if (seen <= skip) continue;
    const checked = importer.check(item);
    const key = checked.key && `${checked.key.column}:${checked.key.value}`;
    // A key twice in one batch: the second must see what the first wrote, so it goes in the next batch.
    if (key && batchKeys.has(key)) {
      await flush();
      // The next batch's accounts are matched only after this one committed.
      await inflight;
    }
    batch.push(checked);
    if (key) batchKeys.add(key);
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  await inflight;
  summary.total = seen;
  if (runId !== undefined) await knex('account_imports').where({ id: runId }).update({ state: 'done', records_done: seen, finished_at: knex.fn.now() });
  opts.onProgress?.({ records: seen, bytes: print.bytes, totalBytes: print.bytes });
  if (!opts.dryRun && summary.created + summary.updated > 0) await analyzeTables(knex, ['accounts', 'account_history']);
  return summary;
}
