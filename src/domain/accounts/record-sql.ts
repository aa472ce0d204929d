import { Knex } from 'knex';
import { ACCOUNT_FIELDS, LIST_OMITTED, WIRE_ORDER } from './fields';
import type { Related } from './repo';
import type { CompanyWire } from '../../orgs/companies';
import { CUSTOM_FIELD_KEY } from '../custom-fields/fields';

/**
 * A list item's JSON text, written by PostgreSQL. Serializing a row in Node cost ~25–30 µs of CPU
 * (node-postgres parsing ~60 typed columns into an object, then a writer per key); PostgreSQL's
 * row_to_json writes the same text in ~13 µs and Node then handles one text column. Lists, the stream
 * and the JSON export go through this.
 *
 * PostgreSQL writes every key of the list item in the plain record's order (record.ts) except the
 * related sets and the company, which come from one query per batch and a per-organisation cache;
 * Node splices them in. Values are formatted as FORMAT (values.ts) formats them: datetimes in UTC,
 * `created` to the second and `updated` to the millisecond (to_char's MS truncates, as the JS Date
 * does), dates as 'YYYY-MM-DD'. `custom_fields` is jsonb's own text (`{"a": 1}`): the same JSON
 * value, with jsonb's spacing.
 */

/** List keys that Node writes; every other key of a list item comes from PostgreSQL. */
const SPLICED = new Set(['industries', 'tags', 'company', 'assigned_to', 'teams']);
const LIST_KEYS = WIRE_ORDER.filter((k) => !LIST_OMITTED.has(k));
const SQL_KEYS = LIST_KEYS.filter((k) => !SPLICED.has(k));
const TYPE = new Map(ACCOUNT_FIELDS.map((f) => [f.name, f.type]));

/** A datetime as the plain record shows it: UTC, `created` to the second, `updated` to the millisecond. */
function datetimeSql(key: string): string {
  const format = key === 'updated' ? 'YYYY-MM-DD"T"HH24:MI:SS.MS' : 'YYYY-MM-DD"T"HH24:MI:SS';
  return `to_char(accounts."${key}" AT TIME ZONE 'UTC', '${format}')`;
}

function expression(key: string): string {
  if (key === 'default_price_level') return 'NULL::int';
  if (key === 'custom_fields') return `coalesce(accounts.custom_fields, '{}'::jsonb)`;
  if (TYPE.get(key) === 'datetime') return datetimeSql(key);
  if (!TYPE.has(key)) throw new Error(`list key ${key} has no column`);
  return `accounts."${key}"`;
}

/**
 * The column `item_json` of an accounts query: the item's text without the spliced keys.
 *
 * As a subquery in the select list PostgreSQL computes it only for the rows it returns, after any
 * sort and LIMIT (~11–18 µs a row here). `lateral` joins it instead, which is cheaper (~8 µs a row)
 * but computed for every row the join sees, before a sort: a 100-row list ordered by a column with no
 * index over 200,000 accounts took 770–970 ms that way against 130–185 ms. So the caller asks for
 * `lateral` only when rows come out of an index in list order (the id order of keyset pages, streams
 * and exports).
 */
export function listItemJson(db: Knex, lateral: boolean): { columns: Knex.Raw[]; join?: string } {
  // Column names come from the catalogue only (fields.ts), never from a request.
  const select = `SELECT ${SQL_KEYS.map((k) => `${expression(k)} AS "${k}"`).join(', ')}`;
  if (!lateral) return { columns: [db.raw(`(SELECT row_to_json(x) FROM (${select}) x)::text AS item_json`)] };
  return { columns: [db.raw('row_to_json(v2_item)::text AS item_json')], join: `CROSS JOIN LATERAL (${select}) v2_item` };
}

/** A row of such a query. */
export interface ItemJsonRow {
  id: number;
  company_id: number;
  item_json: string;
}

type Splice = (row: ItemJsonRow, ctx: SpliceContext) => string;
export interface SpliceContext {
  related: Related;
  /** The company of each company_id as JSON text (companyJson). */
  companyJson: (id: number) => string;
}

const SPLICE: Record<string, Splice> = {
  industries: (row, ctx) => JSON.stringify(ctx.related.industries.get(row.id) ?? []),
  // Administrate prints null for an account without tags.
  tags: (row, ctx) => JSON.stringify(ctx.related.tags.get(row.id) ?? null),
  company: (row, ctx) => ctx.companyJson(row.company_id),
  assigned_to: (row, ctx) => JSON.stringify(ctx.related.assignees.get(row.id) ?? []),
  teams: (row, ctx) => JSON.stringify(ctx.related.teams.get(row.id) ?? []),
};

/**
 * Where each spliced key goes: before the next key PostgreSQL wrote (its `,"key":` is searched for).
 * A JSON string value escapes every `"`, so `,"` occurs in the text only between members; the only
 * nested object, custom_fields, comes after the last anchor and is never searched.
 */
const ANCHORS: { anchor: string; keys: string[] }[] = [];
for (let i = 0; i < LIST_KEYS.length; i++) {
  if (!SPLICED.has(LIST_KEYS[i])) continue;
  const keys: string[] = [];
  while (i < LIST_KEYS.length && SPLICED.has(LIST_KEYS[i])) keys.push(LIST_KEYS[i++]);
  if (i === LIST_KEYS.length || i === 0) throw new Error('a spliced key must sit between two keys written by PostgreSQL');
  ANCHORS.push({ anchor: `,"${LIST_KEYS[i]}":`, keys });
}

/** The full list item: PostgreSQL's text with the related sets and the company put in their places. */
export function spliceListItem(row: ItemJsonRow, ctx: SpliceContext): string {
  const json = row.item_json;
  let out = '';
  let from = 0;
  for (const { anchor, keys } of ANCHORS) {
    const at = json.indexOf(anchor, from);
    out += json.slice(from, at);
    for (const key of keys) out += `,"${key}":${SPLICE[key](row, ctx)}`;
    from = at;
  }
  return out + json.slice(from);
}

/** companyJson for a batch: each company's text made once. */
export function companyJsonOf(companies: Map<number, CompanyWire>): (id: number) => string {
  const texts = new Map<number, string>();
  return (id) => {
    let text = texts.get(id);
    if (text === undefined) {
      text = JSON.stringify(companies.get(id) ?? null);
      texts.set(id, text);
    }
    return text;
  };
}

/**
 * The CSV export's columns: the keys first (a spreadsheet reads best so), then every stored column in
 * the catalogue's order, then each custom field as `custom_fields.<key>`.
 */
const CSV_LEAD = ['id', 'company_id', 'name'];
const CSV_COLUMNS = [...CSV_LEAD, ...ACCOUNT_FIELDS.map((f) => f.name).filter((n) => !CSV_LEAD.includes(n))];

export function csvHeader(customKeys: readonly string[]): string[] {
  return [...CSV_COLUMNS, ...customKeys.map((k) => `custom_fields.${k}`)];
}

/** RFC 4180 as csv-stringify writes it: quoted only when it holds a comma, a quote or a line break. */
const quoted = (text: string) => `CASE WHEN ${text} ~ '[,"\r\n]' THEN '"' || replace(${text}, '"', '""') || '"' ELSE coalesce(${text}, '') END`;

function csvValue(key: string): string {
  const type = TYPE.get(key);
  if (type === 'datetime') return `coalesce(${datetimeSql(key)}, '')`;
  if (type === 'date') return `coalesce(to_char(accounts."${key}", 'YYYY-MM-DD'), '')`;
  if (type === 'string') return quoted(`accounts."${key}"`);
  // Numbers and booleans ('true'/'false') never need quotes.
  return `coalesce(accounts."${key}"::text, '')`;
}

/**
 * The column `csv_line` of an accounts query: one CSV record (no line end) with csvHeader's columns.
 * Written by PostgreSQL for the reason the list items are (a row parsed into an object and serialized
 * by csv-stringify cost the CLI ~36 µs). Custom field values are jsonb's text of the value: a number as
 * stored, a boolean as true/false, JSON null as empty.
 */
export function csvLineColumn(db: Knex, customKeys: readonly string[]): Knex.Raw {
  for (const k of customKeys) if (!CUSTOM_FIELD_KEY.test(k)) throw new Error(`not a custom field key: ${JSON.stringify(k)}`);
  // Column names come from the catalogue and keys were checked above: nothing of a request is written into it.
  const values = [...CSV_COLUMNS.map(csvValue), ...customKeys.map((k) => quoted(`(accounts.custom_fields ->> '${k}')`))];
  return db.raw(`concat_ws(',', ${values.join(', ')}) AS csv_line`);
}
