import fs from 'node:fs';
import { once } from 'node:events';
import { Command, Option } from 'commander';
import { stringify } from 'csv-stringify';
import { Knex } from 'knex';
import { prepare } from './context';
import { progress } from './progress';
import { Caller } from '../auth/basic';
import { AccountService, ImportItem, ImportOutcome } from '../crm/accounts/service';
import { countRecords, formatOf, readImportFile } from '../crm/accounts/import-file';
import { ACCOUNT_FIELDS } from '../crm/accounts/fields';
import { loadDefinitions } from '../meta/custom-fields';

const BATCH = 500;

/** The CLI acts as a user: the one named, or the organisation's first admin. */
async function cliCaller(knex: Knex, orgId: number, email?: string): Promise<Caller> {
  const q = knex('users').where({ org_id: orgId, is_active: true });
  const user = email ? await q.whereRaw('lower(email) = ?', [email.toLowerCase()]).first() : await q.where({ role: 'admin' }).orderBy('id').first();
  if (!user) throw new Error(email ? `no active user ${email} in organisation ${orgId}` : `organisation ${orgId} has no admin user`);
  return { id: user.id, orgId, role: user.role, email: user.email };
}

export interface ImportSummary {
  total: number;
  created: number;
  updated: number;
  failed: number;
  failures: ImportOutcome[];
}

export async function importAccounts(knex: Knex, caller: Caller, file: string, format: 'json' | 'csv', onProgress?: (n: number) => void): Promise<ImportSummary> {
  const service = new AccountService(knex, 10000);
  const summary: ImportSummary = { total: 0, created: 0, updated: 0, failed: 0, failures: [] };
  const flush = async (batch: ImportItem[]) => {
    for (const o of await service.importBatch(caller, batch)) {
      summary[o.result]++;
      if (o.result === 'failed') summary.failures.push(o);
    }
    summary.total += batch.length;
    onProgress?.(summary.total);
  };
  let batch: ImportItem[] = [];
  for await (const item of readImportFile(file, format)) {
    batch.push(item);
    if (batch.length >= BATCH) {
      await flush(batch);
      batch = [];
    }
  }
  if (batch.length) await flush(batch);
  return summary;
}

/** Writes every account (list shape) as JSON or CSV, streamed batch by batch. */
export async function exportAccounts(knex: Knex, caller: Caller, format: 'json' | 'csv', out: NodeJS.WritableStream, includeDeleted: boolean): Promise<number> {
  const service = new AccountService(knex, 10000);
  const query: Record<string, string> = { _order: 'id', ...(includeDeleted ? { is_deleted__in: 'true,false' } : {}) };
  const { batches } = await service.list(caller, query);
  const write = async (s: string) => {
    if (!out.write(s)) await once(out, 'drain');
  };
  let n = 0;
  if (format === 'json') {
    await write('[');
    for await (const b of batches) {
      for (const a of b) await write((n++ ? ',\n' : '\n') + JSON.stringify(a));
    }
    await write('\n]\n');
    return n;
  }
  const customKeys = [...(await loadDefinitions(knex, caller.orgId, 'crm/accounts')).keys()];
  const columns = [...ACCOUNT_FIELDS.map((f) => f.name), ...customKeys.map((k) => `custom_fields.${k}`)];
  const csv = stringify({ header: true, columns, cast: { boolean: (v) => (v ? 'true' : 'false') } });
  csv.pipe(out);
  for await (const b of batches) {
    for (const a of b) {
      const row: Record<string, unknown> = { ...a, company_id: (a.company as { id: number }).id };
      for (const k of customKeys) row[`custom_fields.${k}`] = (a.custom_fields as Record<string, unknown>)[k] ?? null;
      if (!csv.write(columns.map((c) => row[c] ?? ''))) await once(csv, 'drain');
      n++;
    }
  }
  csv.end();
  await once(csv, 'end');
  return n;
}

export function registerAccountIoCommands(program: Command) {
  program
    .command('import')
    .description('import accounts from a JSON array (Administrate v2 shape) or a CSV file with a header row; re-running updates instead of duplicating')
    .argument('<resource>', 'what to import: accounts')
    .argument('<file>', 'a .json or .csv file')
    .addOption(new Option('--format <format>', 'file format (default: from the extension)').choices(['json', 'csv']))
    .option('--org <id>', 'organisation id', '1')
    .option('--as <email>', 'user recorded as the author (default: the first admin)')
    .action(async (resource: string, file: string, o: { format?: string; org: string; as?: string }) => {
      if (resource !== 'accounts') throw new Error(`cannot import "${resource}"; only accounts`);
      const format = formatOf(file, o.format);
      const { db } = await prepare();
      try {
        const caller = await cliCaller(db.knex, Number(o.org), o.as);
        const bar = progress('importing accounts', await countRecords(file, format));
        const s = await importAccounts(db.knex, caller, file, format, (n) => bar.update(n));
        bar.stop();
        console.log(`${s.total} records: ${s.created} created, ${s.updated} updated, ${s.failed} failed`);
        for (const f of s.failures.slice(0, 50)) {
          console.log(`  ${format === 'csv' ? 'line' : 'record'} ${f.line}: ${(f.errors ?? []).map((e) => `${e.field} ${e.message}`).join('; ')}`);
        }
        if (s.failures.length > 50) console.log(`  ... and ${s.failures.length - 50} more`);
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
