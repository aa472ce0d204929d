import { Knex } from 'knex';
import { ErrorDetail } from '../../http/errors';
import { RELATION_FIELDS, RelationField } from './fields';

/** Ids to link, by relation; a relation absent from the request is left as it is. */
export type ResolvedRelations = Partial<Record<RelationField, number[]>>;

const LINKS: Record<RelationField, { table: string; column: string }> = {
  tags: { table: 'account_tags', column: 'tag_id' },
  industries: { table: 'account_industries', column: 'industry_id' },
  assigned_to: { table: 'account_assignees', column: 'user_id' },
  teams: { table: 'account_teams', column: 'team_id' },
};

const unique = <T>(xs: T[]) => [...new Set(xs)];

/**
 * Checks the relation lists of a request against the organisation: tags are names created on first
 * use; industries are ids or names of the managed list; assigned users and teams are ids. Every
 * unknown item is a detail naming its position (`teams[1]`).
 */
export async function resolveRelations(db: Knex, orgId: number, input: Record<string, unknown>, details: ErrorDetail[]): Promise<ResolvedRelations> {
  const out: ResolvedRelations = {};
  if (input.tags !== undefined) {
    const names = unique(((input.tags as string[] | null) ?? []).map((t) => t.trim()));
    if (names.length) {
      await db('tags').insert(names.map((name) => ({ org_id: orgId, name }))).onConflict(['org_id', 'name']).ignore();
      out.tags = (await db('tags').where({ org_id: orgId }).whereIn('name', names).select('id')).map((r) => r.id);
    } else out.tags = [];
  }
  if (input.industries !== undefined) {
    const items = (input.industries as (number | string | { id: number })[] | null) ?? [];
    const rows: { id: number; name: string }[] = items.length ? await db('industries').where({ org_id: orgId }).select('id', 'name') : [];
    const ids: number[] = [];
    items.forEach((item, i) => {
      const key = typeof item === 'object' && item !== null ? item.id : item;
      const hit = rows.find((r) => (typeof key === 'number' ? r.id === key : r.name.toLowerCase() === String(key).trim().toLowerCase()));
      if (hit) ids.push(hit.id);
      else details.push({ field: `industries[${i}]`, message: `${JSON.stringify(key)} is not an industry of this organisation; see GET /api/v2/crm/industries` });
    });
    out.industries = unique(ids);
  }
  for (const [field, table, what] of [['assigned_to', 'users', 'user'], ['teams', 'teams', 'team']] as const) {
    if (input[field] === undefined) continue;
    const ids = unique((input[field] as number[] | null) ?? []);
    const q = db(table).where({ org_id: orgId }).whereIn('id', ids);
    if (table === 'users') q.where('is_active', true);
    const found = new Set(ids.length ? (await q.select('id')).map((r) => r.id as number) : []);
    ((input[field] as number[] | null) ?? []).forEach((id, i) => {
      if (!found.has(id)) details.push({ field: `${field}[${i}]`, message: `${what} ${id} does not exist in this organisation` });
    });
    out[field] = ids;
  }
  return out;
}

/** Replaces each given relation of an account; true when anything was given. */
export async function writeRelations(db: Knex, orgId: number, accountId: number, rel: ResolvedRelations): Promise<boolean> {
  let touched = false;
  for (const field of RELATION_FIELDS) {
    const ids = rel[field];
    if (ids === undefined) continue;
    touched = true;
    const { table, column } = LINKS[field];
    await db(table).where({ org_id: orgId, account_id: accountId }).delete();
    if (ids.length) await db(table).insert(ids.map((id) => ({ org_id: orgId, account_id: accountId, [column]: id })));
  }
  return touched;
}
