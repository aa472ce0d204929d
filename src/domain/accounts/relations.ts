import { Knex } from 'knex';
import type { FieldProblem as ErrorDetail } from '../../core/errors';
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
 * What resolveRelations looks up, remembered across calls. A request starts empty (only what it
 * names is queried); an import preloads the organisation's industries, users and teams once and
 * keeps tag ids for the whole run, so a batch of thousands of records costs no query per record.
 */
export class RelationLookups {
  /** Tag name → id, filled as tags are found or created. Forget it when a transaction rolls back. */
  readonly tags = new Map<string, number>();
  industries?: { id: number; name: string }[];
  /** Every active user / team id of the organisation, when preloaded. */
  users?: Set<number>;
  teams?: Set<number>;

  static async preload(db: Knex, orgId: number): Promise<RelationLookups> {
    const l = new RelationLookups();
    l.industries = await db('industries').where({ org_id: orgId }).select('id', 'name');
    l.users = new Set((await db('users').where({ org_id: orgId, is_active: true }).select('id')).map((r) => r.id as number));
    l.teams = new Set((await db('teams').where({ org_id: orgId }).select('id')).map((r) => r.id as number));
    return l;
  }

  /** Creates the tags not seen yet (first use creates a tag) and remembers every id: one round trip. */
  async ensureTags(db: Knex, orgId: number, names: string[]): Promise<void> {
    const missing = unique(names).filter((n) => !this.tags.has(n));
    if (missing.length === 0) return;
    await db('tags').insert(missing.map((name) => ({ org_id: orgId, name }))).onConflict(['org_id', 'name']).ignore();
    for (const r of await db('tags').where({ org_id: orgId }).whereIn('name', missing).select('id', 'name')) this.tags.set(r.name, r.id);
  }
}

/** The tag names a request or record names (trimmed), for RelationLookups.ensureTags. */
export function tagNames(input: Record<string, unknown>): string[] {
  return ((input.tags as string[] | null | undefined) ?? []).map((t) => t.trim());
}

/**
 * Checks the relation lists of a request against the organisation: tags are names created on first
 * use; industries are ids or names of the managed list; assigned users and teams are ids. Every
 * unknown item is a detail naming its position (`teams[1]`).
 */
export async function resolveRelations(
  db: Knex,
  orgId: number,
  input: Record<string, unknown>,
  details: ErrorDetail[],
  lookups: RelationLookups = new RelationLookups(),
): Promise<ResolvedRelations> {
  const out: ResolvedRelations = {};
  if (input.tags !== undefined) {
    const names = unique(tagNames(input));
    await lookups.ensureTags(db, orgId, names);
    out.tags = names.map((n) => lookups.tags.get(n)!);
  }
  if (input.industries !== undefined) {
    const items = (input.industries as (number | string | { id: number })[] | null) ?? [];
    const rows: { id: number; name: string }[] = lookups.industries ?? (items.length ? await db('industries').where({ org_id: orgId }).select('id', 'name') : []);
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
    let found = field === 'assigned_to' ? lookups.users : lookups.teams;
    if (!found) {
      const q = db(table).where({ org_id: orgId }).whereIn('id', ids);
      if (table === 'users') q.where('is_active', true);
      found = new Set(ids.length ? (await q.select('id')).map((r) => r.id as number) : []);
    }
    ((input[field] as number[] | null) ?? []).forEach((id, i) => {
      if (!found.has(id)) details.push({ field: `${field}[${i}]`, message: `${what} ${id} does not exist in this organisation` });
    });
    out[field] = ids;
  }
  return out;
}

/** The ids each account links to, for the relations asked: one query per relation, any number of accounts. */
export async function linkedIds(db: Knex, orgId: number, accountIds: number[], fields: readonly RelationField[]): Promise<Record<RelationField, Map<number, number[]>>> {
  const out = Object.fromEntries(RELATION_FIELDS.map((f) => [f, new Map<number, number[]>()])) as Record<RelationField, Map<number, number[]>>;
  if (accountIds.length === 0) return out;
  for (const field of fields) {
    const { table, column } = LINKS[field];
    const rows = await db(table).where('org_id', orgId).whereRaw('account_id = ANY(?::int[])', [accountIds]).select('account_id', `${column} as v`);
    for (const r of rows) {
      const list = out[field].get(r.account_id);
      if (list) list.push(r.v);
      else out[field].set(r.account_id, [r.v]);
    }
  }
  return out;
}

const sameSet = (a: number[], b: number[]) => a.length === b.length && new Set([...a, ...b]).size === a.length;

/** The given relations minus those that already hold exactly these ids (writing them would change nothing). */
export function changedRelations(rel: ResolvedRelations, current: Record<RelationField, Map<number, number[]>>, accountId: number): ResolvedRelations {
  const out: ResolvedRelations = {};
  for (const field of RELATION_FIELDS) {
    const ids = rel[field];
    if (ids !== undefined && !sameSet(ids, current[field].get(accountId) ?? [])) out[field] = ids;
  }
  return out;
}

/** Replaces the given relations of many accounts: per relation one DELETE and one INSERT. */
export async function writeRelationsOf(db: Knex, orgId: number, byAccount: Map<number, ResolvedRelations>): Promise<void> {
  for (const field of RELATION_FIELDS) {
    const accounts: number[] = [];
    const pairs: [number[], number[]] = [[], []];
    for (const [accountId, rel] of byAccount) {
      const ids = rel[field];
      if (ids === undefined) continue;
      accounts.push(accountId);
      for (const id of ids) {
        pairs[0].push(accountId);
        pairs[1].push(id);
      }
    }
    if (accounts.length === 0) continue;
    const { table, column } = LINKS[field];
    await db(table).where('org_id', orgId).whereRaw('account_id = ANY(?::int[])', [accounts]).delete();
    if (pairs[0].length) await db.raw(`INSERT INTO ${table} (org_id, account_id, ${column}) SELECT ?::int, a, v FROM unnest(?::int[], ?::int[]) AS t(a, v)`, [orgId, ...pairs]);
  }
}

/** Replaces each given relation of an account; true when anything was given. */
export async function writeRelations(db: Knex, orgId: number, accountId: number, rel: ResolvedRelations): Promise<boolean> {
  await writeRelationsOf(db, orgId, new Map([[accountId, rel]]));
  return RELATION_FIELDS.some((f) => rel[f] !== undefined);
}
