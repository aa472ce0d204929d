import { CompanyWire } from '../../orgs/companies';
import { wireDate, wireDateTime } from '../../http/wire';
import { ACCOUNT_FIELDS, LIST_OMITTED, SERIALIZED_FIELDS, WIRE_ORDER } from './fields';
import { AccountRow, Related } from './repo';
import { ScalarType } from '../../query/catalogue';

export interface Balance {
  balance: Record<string, number>;
  converted_balance: number | null;
}

export interface SerializeContext {
  companies: Map<number, CompanyWire>;
  related: Related;
  /** Present for a single record; lists carry no balances (as the seed shows). */
  balance?: Balance;
}

const TYPE_OF = new Map<string, ScalarType>(ACCOUNT_FIELDS.map((f) => [f.name, f.type]));

/** One stored column value in its wire form (datetimes and dates formatted). */
export function serializeScalar(name: string, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (TYPE_OF.get(name)) {
    case 'datetime':
      // `created` has Administrate's second precision; `updated` keeps milliseconds for incremental sync.
      return wireDateTime(value as Date, name === 'updated');
    case 'date':
      return wireDate(value as string);
    default:
      return value;
  }
}

/** A stored row → the Administrate v2 JSON object, keys in the documented order. */
export function serializeAccount(row: AccountRow, ctx: SerializeContext): Record<string, unknown> {
  const full = ctx.balance !== undefined;
  const out: Record<string, unknown> = {};
  for (const key of WIRE_ORDER) {
    if (!full && LIST_OMITTED.has(key)) continue;
    switch (key) {
      case 'balance':
        out.balance = ctx.balance!.balance;
        break;
      case 'converted_balance':
        out.converted_balance = ctx.balance!.converted_balance;
        break;
      case 'industries':
        out.industries = ctx.related.industries.get(row.id) ?? [];
        break;
      case 'tags':
        // Administrate prints null for an account without tags.
        out.tags = ctx.related.tags.get(row.id) ?? null;
        break;
      case 'assigned_to':
        out.assigned_to = ctx.related.assignees.get(row.id) ?? [];
        break;
      case 'teams':
        out.teams = ctx.related.teams.get(row.id) ?? [];
        break;
      case 'company':
        out.company = ctx.companies.get(row.company_id) ?? null;
        break;
      case 'default_price_level':
        // Price levels are not modelled: the id is stored as sent, the expanded object is never known.
        out.default_price_level = null;
        break;
      case 'custom_fields':
        out.custom_fields = row.custom_fields ?? {};
        break;
      default:
        if (SERIALIZED_FIELDS.has(key)) out[key] = serializeScalar(key, row[key]);
    }
  }
  return out;
}
