/**
 * The one scalar value module: how a text from the wire (query string, form field, CSV cell, CLI
 * argument) becomes a typed value. Query parser, bodies, custom fields, schedules, rates and invoice
 * lines all read values through here, so `2026-02-30` or `yes` means the same everywhere.
 */
export type ScalarType = 'integer' | 'decimal' | 'boolean' | 'string' | 'date' | 'datetime';

/** A filter value after typing: decimals stay strings (exact), datetimes are UTC ISO strings. */
export type Scalar = string | number | boolean;

const INT = /^[+-]?\d{1,10}$/;
const DEC = /^[+-]?\d{1,18}(\.\d{1,12})?$|^[+-]?\.\d{1,12}$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,6})?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

function realDate(y: number, m: number, d: number): boolean {
  const dt = new Date(Date.UTC(y, m - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d;
}

/** Parses `raw` as a value of `type`; returns an error message (saying what is expected) on failure. */
export function parseScalar(type: ScalarType, raw: string): { value: Scalar } | { error: string } {
  switch (type) {
    case 'integer': {
      const n = Number(raw);
      if (!INT.test(raw) || n < -2147483648 || n > 2147483647) return { error: 'must be an integer' };
      return { value: n };
    }
    case 'decimal':
      return DEC.test(raw) ? { value: raw.replace(/^\+/, '') } : { error: 'must be a decimal number like 12.50' };
    case 'boolean': {
      const t = raw.toLowerCase();
      if (t === 'true' || t === '1') return { value: true };
      if (t === 'false' || t === '0') return { value: false };
      return { error: 'must be true, false, 1 or 0' };
    }
    case 'date': {
      const m = DATE.exec(raw);
      if (!m || !realDate(+m[1], +m[2], +m[3])) return { error: 'must be a date YYYY-MM-DD' };
      return { value: raw };
    }
    case 'datetime': {
      const m = DATETIME.exec(raw);
      const bad = { error: 'must be an ISO 8601 datetime like 2026-11-01T00:00:00 (UTC unless an offset is given)' };
      if (!m || !realDate(+m[1], +m[2], +m[3])) return bad;
      const [hh, mm, ss] = [+(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0)];
      if (hh > 23 || mm > 59 || ss > 59) return bad;
      let offset = m[8] ?? 'Z';
      if (offset !== 'Z' && !offset.includes(':')) offset = `${offset.slice(0, 3)}:${offset.slice(3)}`;
      const ms = m[7] ? m[7].slice(0, 4).padEnd(4, '0') : '.000';
      const d = new Date(`${m[1]}-${m[2]}-${m[3]}T${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}:${String(ss).padStart(2, '0')}${ms}${offset}`);
      if (Number.isNaN(d.getTime())) return bad;
      return { value: d.toISOString() };
    }
    case 'string':
      if (raw.length > 1000) return { error: 'must have at most 1000 characters' };
      if (raw.includes('\u0000')) return { error: 'must not contain NUL characters' };
      return { value: raw };
  }
}

/**
 * Splits an `in`/`ni` list on commas. A backslash escapes the next character (`\,` is a comma inside
 * an item, `\\` a backslash); an item wrapped in double quotes may contain commas, and `""` inside
 * quotes is one quote: `"Smith, John",Acme` → [Smith, John] [Acme].
 */
export function splitList(raw: string): string[] | { error: string } {
  const items: string[] = [];
  let cur = '';
  let i = 0;
  let quoted = false;
  let wasQuoted = false;
  while (i < raw.length) {
    const c = raw[i];
    if (quoted) {
      if (c === '"' && raw[i + 1] === '"') {
        cur += '"';
        i += 2;
        continue;
      }
      if (c === '"') {
        quoted = false;
        i++;
        if (i < raw.length && raw[i] !== ',') return { error: 'a closing quote must end the list item' };
        continue;
      }
      cur += c;
      i++;
      continue;
    }
    if (c === '\\') {
      if (i + 1 >= raw.length) return { error: 'ends with a lone backslash' };
      cur += raw[i + 1];
      i += 2;
      continue;
    }
    if (c === '"' && cur === '' && !wasQuoted) {
      quoted = true;
      wasQuoted = true;
      i++;
      continue;
    }
    if (c === ',') {
      items.push(cur);
      cur = '';
      wasQuoted = false;
      i++;
      continue;
    }
    cur += c;
    i++;
  }
  if (quoted) return { error: 'has an unclosed double quote' };
  items.push(cur);
  return items;
}

/** The inverse of `splitList` for one item: quotes it when it holds a comma, quote or backslash. */
export function quoteListItem(item: string): string {
  return /[,"\\]/.test(item) || item === '' ? `"${item.replace(/"/g, '""')}"` : item;
}

/**
 * A stored datetime as plain data: ISO 8601 in UTC without an offset ("2016-12-13T11:23:23"), to the
 * second or, `withMillis`, the millisecond. Administrate prints datetimes this way; history stores them so.
 */
export function formatDateTime(value: Date | string | null | undefined, withMillis = false): string | null {
  if (value === null || value === undefined) return null;
  const d = value instanceof Date ? value : new Date(value);
  return d.toISOString().slice(0, withMillis ? 23 : 19);
}

/** A DATE column as plain data: already 'YYYY-MM-DD' from the drivers; Date objects are read in UTC. */
export function formatDate(value: Date | string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return value instanceof Date ? value.toISOString().slice(0, 10) : value;
}
