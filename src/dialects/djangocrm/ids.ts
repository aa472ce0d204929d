/**
 * Ids on the Django-CRM wire (DJANGO-CRM.md 10.2): v2crm's integer ids as UUID strings, reversibly
 * and without storage, `TTTTTTTT-0000-8000-8000-NNNNNNNNNNNN` (a UUIDv8 layout): T is the resource type,
 * N the integer id in 12 hex digits. The same account is `/api/v2/crm/accounts/7` and
 * `/api/accounts/00000001-0000-8000-8000-000000000007/`.
 */
export const TYPE = {
  account: 1,
  contact: 2,
  comment: 3,
  attachment: 4,
  tag: 5,
  team: 6,
  profile: 7,
  org: 8,
  email: 9,
  lead: 10,
} as const;
export type IdType = keyof typeof TYPE;

const MAX_ID = 2147483647;

export function encodeId(type: IdType, id: number): string {
  return `${TYPE[type].toString(16).padStart(8, '0')}-0000-8000-8000-${id.toString(16).padStart(12, '0')}`;
}

export function encodeOptional(type: IdType, id: number | null | undefined): string | null {
  return id === null || id === undefined ? null : encodeId(type, id);
}

/**
 * What Python's `uuid.UUID()` accepts (any case, hyphens anywhere or none, braces, `urn:uuid:`),
 * reduced to 32 hex digits; undefined when it is not a UUID at all.
 */
export function uuidHex(raw: unknown): string | undefined {
  if (typeof raw !== 'string' || raw.length > 64) return undefined;
  let s = raw.trim().replace(/^urn:/i, '').replace(/^uuid:/i, '');
  s = s.replace(/^\{/, '').replace(/\}$/, '').replace(/-/g, '');
  return /^[0-9a-f]{32}$/i.test(s) ? s.toLowerCase() : undefined;
}

/**
 * The integer id a wire id names, when it is a UUID of this type from this server. A well-formed UUID
 * of another type or layout gives `null` (it names no record: 404), a malformed one `undefined`.
 */
export function decodeId(type: IdType, raw: unknown): number | null | undefined {
  const hex = uuidHex(raw);
  if (hex === undefined) return undefined;
  if (parseInt(hex.slice(0, 8), 16) !== TYPE[type] || hex.slice(8, 20) !== '000080008000') return null;
  const n = parseInt(hex.slice(20), 16);
  return n >= 1 && n <= MAX_ID ? n : null;
}
