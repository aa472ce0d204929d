/**
 * `GET /api/accounts/`: Django-CRM's list filters turned into the core's query, the open and closed
 * sections paged by limit/offset, and the lists the client's forms need.
 */
import { Request, Response } from 'express';
import { DomainError } from '../../core/errors';
import { quoteListItem } from '../../core/values';
import { Caller, Core } from './core';
import { badParam } from './errors';
import { COUNTRIES, INDUSTRIES } from './fields';
import { decodeId, encodeId, uuidHex } from './ids';
import { AccountContext, lookups } from './accounts-shared';
import * as wire from './serialize';

const PER_PAGE = 10;

/** A filter parameter given once or repeated, as a list of strings. */
const many = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : []);
const first = (v: unknown): string | undefined => (Array.isArray(v) ? String(v[v.length - 1]) : typeof v === 'string' ? v : undefined);

function dateBound(param: string, raw: string, end: boolean): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(raw)) return `${raw}T${end ? '23:59:59.999' : '00:00:00'}Z`;
  if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?$/.test(raw) && !Number.isNaN(Date.parse(raw.replace(' ', 'T')))) return raw.replace(' ', 'T');
  throw badParam(param, 'Enter a valid date/time.');
}

/** Django-CRM's list filters as the core's query (v2's query language); undefined when nothing can match. */
async function filterQuery(core: Core, caller: Caller, q: Record<string, unknown>): Promise<{ query: Record<string, unknown>; wireParam: Map<string, string> } | undefined> {
  const query: Record<string, unknown> = {};
  const wireParam = new Map<string, string>();
  const set = (v2: string, param: string, values: string[]) => {
    query[v2] = [...((query[v2] as string[] | undefined) ?? []), ...values];
    wireParam.set(v2, param);
  };
  for (const [param, v2] of [['name', 'name__ct'], ['search', 'name__ct'], ['city', 'city__ct'], ['industry', 'industry__ct']] as const) {
    const v = first(q[param]);
    if (v !== undefined && v !== '') set(v2, param, [v]);
  }
  const tagValues = many(q.tags).filter((t) => t !== '');
  if (tagValues.length) {
    const tags = await core.tags(caller.orgId);
    const names: string[] = [];
    for (const t of tagValues) {
      if (uuidHex(t) !== undefined) {
        const id = decodeId('tag', t);
        const hit = id ? tags.find((x) => x.id === id) : undefined;
        if (hit) names.push(hit.name);
      } else names.push(t);
    }
    if (!names.length) return undefined;
    set('tags__in', 'tags', [names.map(quoteListItem).join(',')]);
  }
  const assigned = many(q.assigned_to).filter((t) => t !== '');
  if (assigned.length) {
    const ids: number[] = [];
    for (const a of assigned) {
      const id = decodeId('profile', a);
      if (id === undefined) throw badParam('assigned_to', `'${a.slice(0, 64)}' is not a valid id.`);
      if (id !== null) ids.push(id);
    }
    if (!ids.length) return undefined;
    set('assigned_to__in', 'assigned_to', [ids.join(',')]);
  }
  for (const [param, v2, end] of [['created_at__gte', 'created__ge', false], ['created_at__lte', 'created__le', true]] as const) {
    const v = first(q[param]);
    if (v !== undefined && v !== '') set(v2, param, [dateBound(param, v, end)]);
  }
  const cf = Object.keys(q).filter((k) => k.startsWith('cf_') && k.length > 3);
  if (cf.length) {
    const defs = new Set((await core.customFieldDefinitions(caller.orgId)).map((d) => d.key));
    for (const param of cf) {
      const key = param.slice(3);
      // A key no definition has matches no account (Django-CRM's JSON lookup finds nothing).
      if (!defs.has(key)) return undefined;
      set(`custom_fields.${key}`, param, [first(q[param]) ?? '']);
    }
  }
  return { query, wireParam };
}

/** One section (open or closed) of the list: `limit` accounts from `offset`, and the count. */
async function section(core: Core, caller: Caller, base: Record<string, unknown>, wireParam: Map<string, string>, status: string, limit: number, offset: number) {
  const run = async (page: number) => {
    if (page > 1_000_000_000) return { items: [], total: undefined };
    try {
      return await core.listAccounts(caller, { ...base, status, _order: '-id', _limit: String(limit), _page: String(page) });
    } catch (e) {
      if (e instanceof DomainError && e.kind === 'invalid' && e.details?.length) {
        const d = e.details[0];
        throw badParam(wireParam.get(d.field) ?? d.field, d.message);
      }
      throw e;
    }
  };
  const page = Math.floor(offset / limit) + 1;
  const a = await run(page);
  let items = a.items;
  if (offset % limit !== 0) {
    // An offset between pages: the tail of one page and the head of the next.
    const b = await run(page + 1);
    items = [...a.items, ...b.items].slice(offset % limit, (offset % limit) + limit);
  }
  const total = a.total ?? 0;
  return { items, total };
}

/** `GET /`: the list. */
export const listAccounts = ({ core }: AccountContext) => async (req: Request, res: Response) => {
  const caller = req.user!;
  const q = req.query as Record<string, unknown>;
  const limitRaw = first(q.limit);
  const offsetRaw = first(q.offset);
  let limit = limitRaw !== undefined && /^\d{1,6}$/.test(limitRaw) ? Number(limitRaw) : PER_PAGE;
  if (limit < 1) limit = PER_PAGE;
  limit = Math.min(limit, 1000);
  const offset = offsetRaw !== undefined && /^\d{1,12}$/.test(offsetRaw) ? Number(offsetRaw) : 0;
  const filters = await filterQuery(core, caller, q);
  const empty = { items: [] as Record<string, unknown>[], total: 0 };
  const [open, closed] = filters
    ? await Promise.all([section(core, caller, filters.query, filters.wireParam, 'open', limit, offset), section(core, caller, filters.query, filters.wireParam, 'closed', limit, offset)])
    : [empty, empty];
  const l = await lookups(core, caller, [...open.items, ...closed.items]);
  const [users, teams, tags, contacts] = await Promise.all([core.users(caller.orgId), core.teams(caller.orgId), core.tags(caller.orgId), core.orgContacts(caller)]);
  const next = (s: { items: unknown[]; total: number }) => (s.items.length === 0 ? 0 : offset + limit < s.total ? offset + limit : null);
  res.json({
    per_page: PER_PAGE,
    page_number: Math.floor(offset / PER_PAGE) + 1,
    active_accounts: { offset: next(open), open_accounts: open.items.map((a) => wire.account(a, l)), open_accounts_count: open.total },
    closed_accounts: { offset: next(closed), close_accounts: closed.items.map((a) => wire.account(a, l)), close_accounts_count: closed.total },
    contacts: contacts.map((c) => ({ id: encodeId('contact', c.id as number), first_name: c.first_name ?? null })),
    teams: teams.map((t) => wire.team(t)),
    countries: COUNTRIES,
    industries: INDUSTRIES,
    tags: tags.map((t) => wire.tag(t.id, t.name)),
    users: users.map((u) => ({ id: encodeId('profile', u.id), user__email: u.email })),
    leads: [],
    status: ['active', 'inactive'],
  });
};
