import fs from 'node:fs';
import { once } from 'node:events';
import { Command, Option } from 'commander';
import { prepare } from './context';
import { fileProgress } from './progress';
import type { ImportOutcome } from '../domain/accounts/types';
import { checkReadable, formatOf, IMPORT_BATCH, ImportFileError } from '../domain/accounts/import-file';

const IMPORT_HELP = `
Matching (what a re-run does):
  - a record with external_id updates the account with that external_id, or creates it;
  - else a record with import_id updates the oldest account with that import_id, or creates it
    (a v2 dump's "id" is kept as import_id "v2:<id>" when the record has neither import_id nor
    external_id);
  - a record that would change nothing is left untouched (no new version, updated or history);
  - a record with neither key is created. A finished file (same SHA-256) that has such records is
    refused the second time, unless --allow-duplicates; an edited file is a new file, and its
    unkeyed records are created again.
Resuming: each batch of ${IMPORT_BATCH} records commits with a checkpoint; running the same file again after
  a crash or kill continues after the last committed batch. Run one import of a file at a time.
Progress goes to stderr; every failed record (line or record number, each field's error) and the
summary to stdout. Exit code 2 when any record failed.
`;

export function registerAccountIoCommands(program: Command) {
  program
    .command('import')
    .description('import accounts from a JSON array (Administrate v2 shape, e.g. a dump of GET /api/v2/crm/accounts) or a CSV file with a header row; safe to re-run (see below)')
    .argument('<resource>', 'what to import: accounts')
    .argument('<file>', 'a .json or .csv file')
    .addOption(new Option('--format <format>', 'file format (default: from the extension)').choices(['json', 'csv']))
    .option('--org <id>', 'organisation id', '1')
    .option('--as <email>', 'user recorded as the author (default: the first admin)')
    .option('--dry-run', 'check every record against the database and report, then write nothing', false)
    .option('--batch-size <n>', `records per transaction and checkpoint (default ${IMPORT_BATCH})`)
    .option('--allow-duplicates', 'import again a finished file whose records have neither external_id nor import_id (creates them again)', false)
    .addHelpText('after', IMPORT_HELP)
    .action(async (resource: string, file: string, o: { format?: string; org: string; as?: string; dryRun: boolean; allowDuplicates: boolean; batchSize?: string }) => {
      if (resource !== 'accounts') throw new Error(`cannot import "${resource}"; only accounts`);
      const format = formatOf(file, o.format);
      const batchSize = o.batchSize === undefined ? IMPORT_BATCH : Number(o.batchSize);
      if (!Number.isSafeInteger(batchSize) || batchSize < 1 || batchSize > 100000) throw new Error(`cannot use --batch-size ${o.batchSize}: give a whole number from 1 to 100000`);
      // A file that cannot be read is said in one line before the database is even opened.
      await checkReadable(file);
      const { db } = await prepare();
      try {
        const { cliCaller, importAccounts } = require('./accounts-transfer') as typeof import('./accounts-transfer');
        const caller = await cliCaller(db.knex, Number(o.org), o.as);
        const bar = fileProgress(o.dryRun ? 'checking accounts' : 'importing accounts');
        const where = format === 'csv' ? 'line' : 'record';
        const s = await importAccounts(db.knex, caller, file, format, {
          dryRun: o.dryRun,
          batchSize,
          allowDuplicates: o.allowDuplicates,
          onProgress: (p) => bar.update(p),
          // Every failure, as it happens: the summary's memory stays flat whatever the file.
          onFailure: (f: ImportOutcome) => console.log(`  ${where} ${f.line}: ${(f.errors ?? []).map((e) => `${e.field} ${e.message}`).join('; ')}`),
        }).catch((e: unknown) => {
          bar.stop();
          if (e instanceof ImportFileError) throw e;
          // Anything else (the database went away, ...) is one line too, and says how to go on.
          const again = o.dryRun ? '' : '; run the same command again to resume after the last committed batch';
          throw new ImportFileError(`cannot finish importing ${file}: ${(e as Error).message ?? String(e)}${again}`);
        });
        bar.stop();
        if (s.resumedAfter) console.log(`resumed import ${s.importId} after record ${s.resumedAfter} (committed by an interrupted run; its failures were printed then)`);
        const counts = `${s.total} records: ${s.created} created, ${s.updated} updated, ${s.unchanged} unchanged, ${s.failed} failed`;
        console.log(o.dryRun ? `dry run, nothing written: ${counts}` : counts);
        if (s.failed) process.exitCode = 2;
      } finally {
        await db.close();
      }
    });

  program
    .command('export')
    .description('export accounts as JSON (the v2 list shape, re-importable) or CSV')
    .argument('<resource>', 'what to export: accounts')
    .addOption(new Option('--format <format>', 'output format').choices(['json', 'csv']).default('json'))
    .option('--out <file>', 'write to this file instead of standard output')
    .option('--include-deleted', 'include soft-deleted accounts', false)
    .option('--org <id>', 'organisation id', '1')
    .action(async (resource: string, o: { format: 'json' | 'csv'; out?: string; includeDeleted: boolean; org: string }) => {
      if (resource !== 'accounts') throw new Error(`cannot export "${resource}"; only accounts`);
      const { db } = await prepare();
      try {
        const { cliCaller, exportAccounts } = require('./accounts-transfer') as typeof import('./accounts-transfer');
        const caller = await cliCaller(db.knex, Number(o.org));
        const out = o.out ? fs.createWriteStream(o.out) : process.stdout;
        const n = await exportAccounts(db.knex, caller, o.format, out, o.includeDeleted);
        if (o.out) {
          (out as fs.WriteStream).end();
          await once(out, 'finish');
          console.error(`${n} accounts written to ${o.out}`);
        }
      } finally {
        await db.close();
      }
    });
}
