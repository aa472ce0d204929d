import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream';
import { parse } from 'csv-parse';
import { SKIPPED } from './fields';
import type { ImportItem } from './types';
import { jsonArrayElements, JsonArrayError } from './json-array';

/** Records per transaction: big enough that per-statement costs vanish, small enough for flat memory. */
export const IMPORT_BATCH = 1000;

/** Keys of an Administrate v2 dump that are computed or read-only here, so an import skips them. */
export const SKIPPED_KEYS: ReadonlySet<string> = SKIPPED;
const CUSTOM_PREFIX = 'custom_fields.';

/** A problem with the file as a whole (missing, unreadable, not the format it claims): one line for the CLI. */
export class ImportFileError extends Error {}

/**
 * One record of a v2 dump (JSON) or a CSV row → an ImportItem. A dump's `company` gives company_id;
 * its `id` is kept as import_id `v2:<id>` (when the record has neither import_id nor external_id)
 * so a re-run finds the account it created; CSV columns `custom_fields.field_N` become custom fields. `industries` of a
 * dump are objects `{id, name}`: they are matched by name, so a dump moves between databases.
 */
export function toImportItem(raw: Record<string, unknown>, line: number, format: 'json' | 'csv'): ImportItem {
  const data: Record<string, unknown> = {};
  const custom: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (k.startsWith(CUSTOM_PREFIX)) {
      if (!(format === 'csv' && v === '')) custom[k.slice(CUSTOM_PREFIX.length)] = v;
    } else if (!SKIPPED_KEYS.has(k)) data[k] = v;
  }
  if (Object.keys(custom).length) data.custom_fields = { ...((data.custom_fields as object) ?? {}), ...custom };
  if (Array.isArray(data.industries)) {
    data.industries = data.industries.map((i) => (typeof i === 'object' && i !== null && typeof (i as { name?: unknown }).name === 'string' ? (i as { name: string }).name : i));
  }
  const company = raw.company as { id?: unknown } | null | undefined;
  if (data.company_id === undefined && company && company.id !== undefined) data.company_id = company.id;
  const has = (v: unknown) => v !== undefined && v !== null && v !== '';
  // Only a record with no key of its own gets one from its id: a record with an external_id is
  // found by it, and re-importing an export into its own database then changes nothing.
  if (!has(data.import_id) && !has(data.external_id) && has(raw.id)) data.import_id = `v2:${raw.id}`;
  return { line, data };
}

export function formatOf(file: string, explicit?: string): 'json' | 'csv' {
  const f = (explicit ?? path.extname(file).slice(1)).toLowerCase();
  if (f === 'json' || f === 'csv') return f;
  throw new ImportFileError(`cannot tell the format of ${file}: name it .json or .csv, or pass --format json|csv`);
}

function fileProblem(file: string, e: NodeJS.ErrnoException): ImportFileError {
  const why: Record<string, string> = { ENOENT: 'no such file', EACCES: 'permission denied', EISDIR: 'it is a directory', EPERM: 'permission denied' };
  return new ImportFileError(`cannot read ${file}: ${why[e.code ?? ''] ?? e.message}`);
}

/** Throws a one-line ImportFileError unless the file exists, is a file and can be read. */
export async function checkReadable(file: string): Promise<void> {
  try {
    const stat = await fs.promises.stat(file);
    if (stat.isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
    await fs.promises.access(file, fs.constants.R_OK);
  } catch (e) {
    throw fileProblem(file, e as NodeJS.ErrnoException);
  }
}

/** The file's SHA-256 and size, read once (streamed): what the import ledger knows a file by. */
export async function fingerprint(file: string): Promise<{ sha256: string; bytes: number }> {
  const hash = crypto.createHash('sha256');
  let bytes = 0;
  await checkReadable(file);
  try {
    for await (const chunk of fs.createReadStream(file)) {
      hash.update(chunk as Buffer);
      bytes += (chunk as Buffer).length;
    }
  } catch (e) {
    throw fileProblem(file, e as NodeJS.ErrnoException);
  }
  return { sha256: hash.digest('hex'), bytes };
}

export interface ReadOptions {
  /** Called with the CSV header before any row: throws ImportFileError for a column that cannot be imported. */
  checkHeader?: (columns: string[]) => void;
  /** Bytes of the file read so far, for the progress line. */
  onBytes?: (bytes: number) => void;
}

/**
 * Records of the file with their line (CSV) or position (JSON), streamed: memory holds one parser
 * buffer, never the file. JSON must be a top-level array (a dump of GET /api/v2/crm/accounts).
 */
export async function* readImportFile(file: string, format: 'json' | 'csv', opts: ReadOptions = {}): AsyncGenerator<ImportItem> {
  const src = fs.createReadStream(file, { highWaterMark: 256 * 1024 });
  if (format === 'json') {
    src.setEncoding('utf8');
    let n = 0;
    try {
      for await (const value of jsonArrayElements(src as AsyncIterable<string>)) {
        opts.onBytes?.(src.bytesRead);
        n++;
        if (typeof value !== 'object' || value === null || Array.isArray(value)) {
          yield { line: n, data: {}, errors: [{ field: '(record)', message: 'must be a JSON object (an account)' }] };
        } else yield toImportItem(value as Record<string, unknown>, n, 'json');
      }
    } catch (e) {
      if (e instanceof JsonArrayError) throw new ImportFileError(`cannot read ${file} as JSON: ${e.message}`);
      if ((e as NodeJS.ErrnoException).code?.startsWith('E')) throw fileProblem(file, e as NodeJS.ErrnoException);
      throw e;
    }
    return;
  }
  const rows = pipeline(src, parse({ bom: true, skip_empty_lines: true, info: true, relax_column_count: true }), () => undefined);
  let header: string[] | undefined;
  try {
    for await (const { record, info } of rows as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (!header) {
        header = record.map((c) => c.trim());
        opts.checkHeader?.(header);
        continue;
      }
      opts.onBytes?.(src.bytesRead);
      if (record.length !== header.length) {
        yield { line: info.lines, data: {}, errors: [{ field: '(record)', message: `has ${record.length} fields; the header has ${header.length}` }] };
        continue;
      }
      const raw: Record<string, string> = {};
      for (let i = 0; i < header.length; i++) raw[header[i]] = record[i];
      yield toImportItem(raw, info.lines, 'csv');
    }
  } catch (e) {
    if (e instanceof ImportFileError) throw e;
    if ((e as NodeJS.ErrnoException).code && (e as NodeJS.ErrnoException).code!.startsWith('E')) throw fileProblem(file, e as NodeJS.ErrnoException);
    throw new ImportFileError(`cannot read ${file} as CSV: ${(e as Error).message}`);
  }
  if (!header) throw new ImportFileError(`cannot read ${file} as CSV: it is empty (a header row of field names comes first)`);
}
