import { decodeId, IdType, uuidHex } from './ids';
import { countryCode, industryChoice, INPUT_ALIASES, SCALARS } from './fields';

/**
 * A Django-CRM account body (JSON, form or multipart fields) typed into the v2crm core's input
 * (DJANGO-CRM.md 5, 7, 10.1, 10.6-10.8). Only wire spellings are handled here; the core validates.
 */
export type Errors = Record<string, string[]>;

export interface TypedAccount {
  /** v2crm account input: scalars, status, industries, tags (names), assigned_to, teams, custom_fields. */
  input: Record<string, unknown>;
  /** The Django-CRM industry label to make available in the org's managed list before the write. */
  industryLabel?: string;
  /** Contact ids to link (undefined: not sent); ids of no contact are dropped later. */
  contacts?: number[];
  /** Tag UUIDs to resolve to names (unknown ones are dropped). */
  tagIds: number[];
}

const REQUIRED = 'This field is required.';
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^[0-9\s\-().+]{7,25}$/;
const TRUE = ['true', '1', 'yes', 'on'];
const FALSE = ['false', '0', 'no', 'off'];

function add(errors: Errors, field: string, message: string) {
  (errors[field] ??= []).push(message);
}

/** One value of a form field: the last one when a key repeats, as Django's QueryDict.get. */
function one(v: unknown): unknown {
  return Array.isArray(v) && v.every((x) => typeof x === 'string') ? v[v.length - 1] : v;
}

export function parseBool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number' && (v === 0 || v === 1)) return v === 1;
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (TRUE.includes(s)) return true;
    if (FALSE.includes(s)) return false;
  }
  return undefined;
}

/**
 * A relation list as clients send it: a JSON array, a JSON-encoded array in a string (multipart,
 * CLASSIC clients), one bare id, `{id}` objects, or a form key repeated. Each item comes back as a
 * string or number (an `{id}` object gives its id, a `{name}` object its name); null clears.
 */
export function relationItems(raw: unknown): unknown[] | 'invalid' {
  if (raw === null || raw === '') return [];
  let v = raw;
  if (typeof v === 'string') {
    const s = v.trim();
    if (s.startsWith('[') || s.startsWith('{')) {
      try {
        v = JSON.parse(s);
      } catch {
        return 'invalid';
      }
    }
  }
  const list = Array.isArray(v) ? v : [v];
  // A repeated form key whose values are JSON-encoded lists: flatten them.
  const out: unknown[] = [];
  for (const item of list) {
    if (typeof item === 'string' && item.trim().startsWith('[')) {
      const inner = relationItems(item);
      if (inner === 'invalid') return 'invalid';
      out.push(...inner);
    } else if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
      const o = item as Record<string, unknown>;
      if (o.id !== undefined) out.push(o.id);
      else if (o.name !== undefined) out.push(o.name);
      else return 'invalid';
    } else if (typeof item === 'string' || typeof item === 'number') out.push(item);
    else return 'invalid';
  }
  return out.length > 500 ? 'invalid' : out;
}

/** Ids of one type from relation items; well-formed UUIDs of another type or unknown are dropped. */
function idList(field: string, type: IdType, raw: unknown, errors: Errors): number[] | undefined {
  const items = relationItems(raw);
  if (items === 'invalid') {
    add(errors, field, 'Expected a list of ids.');
    return undefined;
  }
  const ids: number[] = [];
  for (const item of items) {
    const id = decodeId(type, String(item));
    if (id === undefined) add(errors, field, `'${String(item).slice(0, 64)}' is not a valid id.`);
    else if (id !== null) ids.push(id);
  }
  return [...new Set(ids)];
}

function text(field: string, raw: unknown, errors: Errors, max = 255): string | null | undefined {
  const v = one(raw);
  if (v === null) return null;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v !== 'string') {
    add(errors, field, 'Not a valid string.');
    return undefined;
  }
  if (v.length > max) {
    add(errors, field, `Ensure this field has no more than ${max} characters.`);
    return undefined;
  }
  if (v.includes('\u0000')) {
    add(errors, field, 'Null characters are not allowed.');
    return undefined;
  }
  return v.trim();
}

function nonNegative(field: string, raw: unknown, errors: Errors, integer: boolean) {
  const v = one(raw);
  if (v === null || v === '') return;
  const s = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : '';
  const ok = integer ? /^\d{1,12}$/.test(s) : /^\d{1,16}(\.\d{1,2})?$/.test(s);
  if (!ok) add(errors, field, integer ? 'A valid integer is required.' : 'A valid number is required.');
}

/**
 * Body → core input. `mode`: create (name required), put (name required; relations not sent are
 * cleared) or patch (only what is sent).
 */
export function typeAccountBody(body: Record<string, unknown>, mode: 'create' | 'put' | 'patch'): { typed: TypedAccount; errors: Errors } {
  const errors: Errors = {};
  const input: Record<string, unknown> = {};
  const typed: TypedAccount = { input, tagIds: [] };
  // The seed's / CLASSIC spellings, unless the HEAD name is sent too.
  const b: Record<string, unknown> = { ...body };
  for (const [alias, field] of Object.entries(INPUT_ALIASES)) {
    if (b[alias] !== undefined && b[field] === undefined) b[field] = b[alias];
  }
  for (const [field, v2] of Object.entries(SCALARS)) {
    if (b[field] === undefined) continue;
    const max = field === 'description' ? 65535 : 255;
    let value = text(field, b[field], errors, max);
    if (value === undefined) continue;
    if (value === '' && field !== 'name') value = null;
    if (field === 'name') {
      if (!value) {
        add(errors, 'name', value === null ? 'This field may not be null.' : 'This field may not be blank.');
        continue;
      }
    } else if (value !== null) {
      if (field === 'email' && !EMAIL.test(value)) add(errors, field, 'Enter a valid email address.');
      else if (field === 'phone' && !PHONE.test(value)) add(errors, field, 'Enter a valid phone number.');
      else if (field === 'website' && !isUrl(value)) add(errors, field, 'Enter a valid URL.');
      else if (field === 'country') {
        const code = countryCode(value);
        if (!code) add(errors, field, `"${value}" is not a valid choice.`);
        else value = code;
      }
    }
    input[v2] = value;
  }
  if ((mode === 'create' || mode === 'put') && b.name === undefined) add(errors, 'name', REQUIRED);

  if (b.industry !== undefined) {
    const v = one(b.industry);
    if (v === null || v === '') input.industries = [];
    else if (typeof v !== 'string' || !industryChoice(v)) add(errors, 'industry', `"${String(v).slice(0, 100)}" is not a valid choice.`);
    else {
      typed.industryLabel = industryChoice(v)!.label;
      input.industries = [typed.industryLabel];
    }
  }

  // is_active (HEAD), status open/close/closed (CLASSIC, seed): v2crm's status.
  if (b.is_active !== undefined) {
    const active = parseBool(one(b.is_active));
    if (active === undefined) add(errors, 'is_active', 'Must be a valid boolean.');
    else input.status = active ? 'open' : 'closed';
  } else if (b.status !== undefined) {
    const s = typeof one(b.status) === 'string' ? (one(b.status) as string).trim().toLowerCase() : '';
    if (s === 'open' || s === 'active') input.status = 'open';
    else if (s === 'close' || s === 'closed' || s === 'inactive') input.status = 'closed';
    else add(errors, 'status', `"${String(one(b.status)).slice(0, 100)}" is not a valid choice.`);
  }

  if (b.number_of_employees !== undefined) nonNegative('number_of_employees', b.number_of_employees, errors, true);
  if (b.annual_revenue !== undefined) nonNegative('annual_revenue', b.annual_revenue, errors, false);

  if (b.custom_fields !== undefined) {
    let cf = one(b.custom_fields);
    if (typeof cf === 'string') {
      try {
        cf = cf.trim() === '' ? {} : JSON.parse(cf);
      } catch {
        cf = undefined;
      }
    }
    if (cf === null || typeof cf !== 'object' || Array.isArray(cf)) add(errors, 'custom_fields', 'Expected a JSON object.');
    else input.custom_fields = cf;
  }

  const clear = mode === 'put';
  for (const [field, type] of [['assigned_to', 'profile'], ['teams', 'team']] as const) {
    if (b[field] !== undefined) {
      const ids = idList(field, type, b[field], errors);
      if (ids) input[field] = ids;
    } else if (clear) input[field] = [];
  }
  if (b.contacts !== undefined) typed.contacts = idList('contacts', 'contact', b.contacts, errors);
  else if (clear) typed.contacts = [];

  if (b.tags !== undefined) {
    const items = relationItems(b.tags);
    if (items === 'invalid') add(errors, 'tags', 'Expected a list of tag ids or names.');
    else {
      const names: string[] = [];
      for (const item of items) {
        const s = String(item).trim();
        if (uuidHex(s) !== undefined) {
          const id = decodeId('tag', s);
          if (id) typed.tagIds.push(id);
        } else if (s === '' || s.length > 100 || s.includes('\u0000')) add(errors, 'tags', `'${s.slice(0, 64)}' is not a valid tag.`);
        else names.push(s);
      }
      input.tags = names;
    }
  } else if (clear) input.tags = [];
  return { typed, errors };
}

function isUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname.includes('.');
  } catch {
    return false;
  }
}
