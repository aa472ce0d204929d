import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse';
import { BodyFormat } from '../../http/body';
import { ImportItem } from './service';

/** Keys of an Administrate v2 dump that are computed or read-only here, so an import skips them. */
const SKIPPED = new Set(['id', 'created', 'updated', 'company', 'balance', 'converted_balance', 'default_price_level', 'industries', 'tags']);
const CUSTOM_PREFIX = 'custom_fields.';

/**
 * One record of a v2 dump (JSON) or a CSV row → an ImportItem. A dump's `company` gives company_id;
 * its `id` is kept as import_id `v2:<id>` (unless the record has an import_id) so a re-run finds the
 * account it created; CSV columns `custom_fields.field_N` become custom fields.
 */
export function toImportItem(raw: Record<string, unknown>, line: number, format: BodyFormat): ImportItem {
  const data: Record<string, unknown> = {};
  const custom: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (k.startsWith(CUSTOM_PREFIX)) {
      if (!(format === 'form' && v === '')) custom[k.slice(CUSTOM_PREFIX.length)] = v;
    } else if (!SKIPPED.has(k)) data[k] = v;
  }
  if (Object.keys(custom).length) data.custom_fields = { ...((data.custom_fields as object) ?? {}), ...custom };
  const company = raw.company as { id?: unknown } | null | undefined;
  if (data.company_id === undefined && company && company.id !== undefined) data.company_id = company.id;
  const hasImportId = data.import_id !== undefined && data.import_id !== null && data.import_id !== '';
  if (!hasImportId && raw.id !== undefined && raw.id !== null && raw.id !== '') data.import_id = `v2:${raw.id}`;
  return { line, data, format };
}

export function formatOf(file: string, explicit?: string): 'json' | 'csv' {
  const f = (explicit ?? path.extname(file).slice(1)).toLowerCase();
  if (f === 'json' || f === 'csv') return f;
  throw new Error(`cannot tell the format of ${file}: name it .json or .csv, or pass --format json|csv`);
}

/** Records of the file with their line (CSV) or position (JSON), streamed for CSV. */
export async function* readImportFile(file: string, format: 'json' | 'csv'): AsyncGenerator<ImportItem> {
  if (format === 'json') {
    const parsed = JSON.parse(await fs.promises.readFile(file, 'utf8'));
    const records = Array.isArray(parsed) ? parsed : [parsed];
    for (const [i, r] of records.entries()) {
      if (typeof r !== 'object' || r === null || Array.isArray(r)) {
        yield { line: i + 1, data: { '(record)': r }, format: 'json' };
      } else yield toImportItem(r as Record<string, unknown>, i + 1, 'json');
    }
    return;
  }
  const parser = fs.createReadStream(file).pipe(parse({ columns: true, bom: true, skip_empty_lines: true, info: true, relax_column_count: false }));
  for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
    yield toImportItem(record, info.lines, 'form');
  }
}

/** Cheap count for the progress bar: records in a JSON array, or lines minus the header in a CSV. */
export async function countRecords(file: string, format: 'json' | 'csv'): Promise<number> {
  if (format === 'json') {
    const parsed = JSON.parse(await fs.promises.readFile(file, 'utf8'));
    return Array.isArray(parsed) ? parsed.length : 1;
  }
  let lines = 0;
  for await (const chunk of fs.createReadStream(file)) {
    for (const byte of chunk as Buffer) if (byte === 10) lines++;
  }
  return Math.max(0, lines - 1);
}
