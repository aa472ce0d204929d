import fs from 'node:fs';
import { Command } from 'commander';
import { parse } from 'csv-parse';
import { Knex } from 'knex';
import { prepare } from './context';
import { ValidationError } from '../http/errors';
import { baseCurrency, listRates, setRate } from '../money/rates';

export interface RateImportResult {
  imported: number;
  /** Every bad line, by its line number in the file; when there is one, nothing was imported. */
  errors: { line: number; message: string }[];
}

const COLUMNS = ['currency_code', 'rate', 'valid_from'];

/**
 * Imports a CSV of rates (header `currency_code,rate[,valid_from]`) all or nothing: one
 * transaction, and every bad line reported with its number so the file can be fixed in one go.
 */
export async function importRates(knex: Knex, orgId: number, file: string): Promise<RateImportResult> {
  const parser = fs.createReadStream(file).pipe(parse({ columns: true, skip_empty_lines: true, trim: true, info: true, bom: true }));
  const result: RateImportResult = { imported: 0, errors: [] };
  try {
    await knex.transaction(async (trx) => {
      for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
        const unknown = Object.keys(record).filter((k) => !COLUMNS.includes(k));
        if (unknown.length) {
          result.errors.push({ line: 1, message: `unknown column ${unknown.join(', ')}; expected ${COLUMNS.join(', ')}` });
          break;
        }
        try {
          await setRate(trx, orgId, { currency_code: record.currency_code, rate: record.rate, valid_from: record.valid_from || undefined });
          result.imported++;
        } catch (err) {
          if (!(err instanceof ValidationError)) throw err;
          result.errors.push({ line: info.lines, message: (err.details ?? []).map((d) => `${d.field} ${d.message}`).join('; ') });
        }
      }
      if (result.errors.length) throw new ValidationError([]);
    });
  } catch (err) {
    if (!(err instanceof ValidationError) || !result.errors.length) {
      const e = err as { code?: string; message?: string };
      if (e.code?.startsWith('CSV_')) return { imported: 0, errors: [{ line: 0, message: `not a readable CSV file: ${e.message}` }] };
      throw err;
    }
    result.imported = 0;
  }
  return result;
}

export function registerRateCommands(program: Command) {
  const rates = program.command('rates').description('exchange rates: units of a currency per 1 unit of the base currency, from a date on');
  const withDb = async (fn: (knex: Knex) => Promise<void>) => {
    const { db } = await prepare();
    try {
      await fn(db.knex);
    } finally {
      await db.close();
    }
  };

  rates
    .command('set')
    .description('set the rate of a currency from a date on (e.g. "rates set EUR 1.15" when 1 GBP buys 1.15 EUR)')
    .argument('<currency>', 'ISO 4217 code')
    .argument('<rate>', 'units of <currency> per 1 unit of the base currency')
    .option('--date <YYYY-MM-DD>', 'first day the rate is valid (default: today, UTC)')
    .option('--org <id>', 'organisation id', '1')
    .action((code: string, rate: string, o: { date?: string; org: string }) =>
      withDb(async (knex) => {
        const row = await setRate(knex, Number(o.org), { currency_code: code, rate, valid_from: o.date });
        console.log(`1 ${await baseCurrency(knex, Number(o.org))} = ${trimZeros(row.rate)} ${row.currency_code} from ${row.valid_from}`);
      }),
    );

  rates
    .command('list')
    .description('print every rate as CSV (re-importable with "rates import")')
    .option('--org <id>', 'organisation id', '1')
    .action((o: { org: string }) =>
      withDb(async (knex) => {
        console.log(COLUMNS.join(','));
        for (const r of await listRates(knex, Number(o.org))) console.log(`${r.currency_code},${trimZeros(r.rate)},${r.valid_from}`);
      }),
    );

  rates
    .command('import')
    .description('import rates from a CSV file with the header currency_code,rate,valid_from; all or nothing')
    .argument('<file>', 'CSV file')
    .option('--org <id>', 'organisation id', '1')
    .action((file: string, o: { org: string }) =>
      withDb(async (knex) => {
        if (!fs.existsSync(file)) throw new ValidationError([], `cannot read ${file}: no such file`);
        const r = await importRates(knex, Number(o.org), file);
        if (r.errors.length) {
          console.error(`nothing imported: ${r.errors.length} bad line(s)`);
          for (const e of r.errors.slice(0, 50)) console.error(`  line ${e.line}: ${e.message}`);
          process.exitCode = 2;
          return;
        }
        console.log(`${r.imported} rates imported`);
      }),
    );
}

/** "1.1500000000" → "1.15": the column's scale is not part of the rate. */
function trimZeros(decimal: string): string {
  return decimal.includes('.') ? decimal.replace(/\.?0+$/, '') : decimal;
}
