import { once } from 'node:events';
import { stringify as stringifySync } from 'csv-stringify/sync';
import { Knex } from 'knex';
import { Caller } from '../auth/basic';
import { AccountService } from '../domain/accounts/service';
import { accountJsonBatchText } from '../dialects/v2/accounts/serialize';
import { csvHeader } from '../domain/accounts/record-sql';
import { v2RecordReader } from '../dialects/v2/accounts/body';
import { ImportOptions, ImportSummary, runImport } from '../domain/accounts/import-run';
import { loadDefinitions } from '../domain/custom-fields/service';

/**
 * What the import and export commands run (accounts-io.ts), loaded only when one of them runs: it
 * brings the whole account service, which every other command, `--help` and `--version` do without.
 */

/** The CLI acts as a user: the one named, or the organisation's first admin. */
export async function cliCaller(knex: Knex, orgId: number, email?: string): Promise<Caller> {
  const q = knex('users').where({ org_id: orgId, is_active: true });
  const user = email ? await q.whereRaw('lower(email) = ?', [email.toLowerCase()]).first() : await q.where({ role: 'admin' }).orderBy('id').first();
  if (!user) throw new Error(email ? `no active user ${email} in organisation ${orgId}` : `organisation ${orgId} has no admin user`);
  return { id: user.id, orgId, role: user.role, email: user.email };
}

/** The import as the specs and the CLI call it: see runImport. */
export function importAccounts(knex: Knex, caller: Caller, file: string, format: 'json' | 'csv', opts: ImportOptions = {}): Promise<ImportSummary> {
  return runImport(knex, caller, file, format, v2RecordReader(format), opts);
}

/**
 * The items of `source`, asking for item N+1 as soon as item N is handed out: the next cursor
 * batch is fetched while the current one is written.
 */
async function* prefetched<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const it = source[Symbol.asyncIterator]();
  let next = it.next();
  for (;;) {
    const r = await next;
    if (r.done) return;
    next = it.next();
    // Awaited on the next turn; a failure is not lost, only not reported twice.
    next.catch(() => undefined);
    yield r.value;
  }
}

/**
 * Rows per cursor FETCH of an export. The server streams 250 at a time to keep its memory low under
 * many clients; one export can take more. 242,659 accounts as JSON, 1000 a fetch against 250 (builds
 * interleaved, five pairs): 3.81–4.90 s against 4.12–5.68 s (per pair 1.33, 1.16, 0.98, 1.21, 1.07
 * times as fast), peak RSS ~237 MB against ~205 MB; the CSV export did not change (it is cheaper a row).
 */
const EXPORT_FETCH = 1000;

/**
 * Writes every account (list shape) as JSON or CSV, streamed batch by batch from one cursor: memory
 * holds one batch whatever the table size. JSON items are the API's own list text (written by
 * PostgreSQL, record-sql.ts), so an export is byte for byte what `GET /api/v2/crm/accounts` streams;
 * CSV records are written by PostgreSQL too. The caller
 * ends `out`.
 */
export async function exportAccounts(knex: Knex, caller: Caller, format: 'json' | 'csv', out: NodeJS.WritableStream, includeDeleted: boolean): Promise<number> {
  const service = new AccountService(knex, 10000);
  const query: Record<string, string> = { _order: 'id', ...(includeDeleted ? { is_deleted__in: 'true,false' } : {}) };
  const write = async (s: string) => {
    if (!out.write(s)) await once(out, 'drain');
  };
  let n = 0;
  if (format === 'json') {
    const { batches } = await service.listJson(caller, query, { streamBatch: EXPORT_FETCH });
    await write('[');
    for await (const b of prefetched(batches)) {
      let chunk = '';
      for (const json of b.flatMap(accountJsonBatchText)) chunk += (n++ ? ',\n' : '\n') + json;
      await write(chunk);
    }
    await write('\n]\n');
    return n;
  }
  const customKeys = [...(await loadDefinitions(knex, caller.orgId, 'crm/accounts')).keys()];
  await write(stringifySync([csvHeader(customKeys)]));
  const { batches } = await service.listCsv(caller, query, customKeys, { streamBatch: EXPORT_FETCH });
  for await (const b of prefetched(batches)) {
    const lines = b.flat();
    await write(`${lines.join('\n')}\n`);
    n += lines.length;
  }
  return n;
}
