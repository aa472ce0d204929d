import fs from 'node:fs';
import { Request, Response, Router } from 'express';
import { DomainError } from '../../core/errors';
import { quoteListItem } from '../../core/values';
import { Caller, Core } from './core';
import { badParam, DjangoError, forbidden, invalid, notFound, toDjangoError } from './errors';
import { COUNTRIES, INDUSTRIES } from './fields';
import { decodeId, encodeId, IdType, uuidHex } from './ids';
import { Errors, parseBool, relationItems, typeAccountBody } from './input';
import { MultipartBody, readMultipart, receiveSpooled } from './multipart';
import * as wire from './serialize';

/**
 * `/api/accounts/...` (DJANGO-CRM.md 3-9): wire in, typed input to the core (core.ts), core data out in
 * Django-CRM's shapes. Ids are UUIDs (ids.ts); a path id that is not one of ours is a 404.
 */
export interface AccountRoutesOptions {
  attachmentMaxBytes: number;
}

const PER_PAGE = 10;
const COMMENT_MAX = 255;

function pathId(type: IdType, raw: unknown): number {
  const id = decodeId(type, raw);
  if (!id) throw notFound();
  return id;
}

/** The body as an object: JSON, form, or a multipart body's fields (with its file). */
async function readBody(req: Request, maxBytes: number): Promise<MultipartBody> {
  if (req.is('multipart/form-data')) return readMultipart(req, maxBytes);
  if (req.bodyFormat === undefined && req.headers['content-type'] !== undefined && Number(req.headers['content-length'] ?? 1) !== 0) {
    throw new DjangoError(415, { detail: `Unsupported media type "${String(req.headers['content-type']).slice(0, 100)}" in request.` });
  }
  const body = req.body ?? {};
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw invalid({ non_field_errors: [`Invalid data. Expected a dictionary, but got ${Array.isArray(body) ? 'list' : typeof body}.`] });
  }
  return { fields: body as Record<string, string | string[]> };
}

async function removeSpooled(b: MultipartBody) {
  if (b.file) await fs.promises.rm(b.file.path, { force: true });
}

/** Core errors of a write, in the create/update envelope (403 with Django-CRM's own text). */
function writeError(e: unknown, forbiddenText: string): unknown {
  if (e instanceof DomainError && e.kind === 'forbidden') return forbidden(forbiddenText);
  return e;
}

export function accountRoutes(core: Core, opts: AccountRoutesOptions): Router {
  const r = Router();

  /** Everything the serializers look up, for these accounts. */
  async function lookups(caller: Caller, accounts: Record<string, unknown>[]): Promise<wire.Lookups> {
    const ids = accounts.map((a) => a.id as number);
    const [org, creators, teams, tags, contacts] = await Promise.all([
      core.org(caller.orgId),
      core.accountCreators(caller.orgId, ids),
      core.teams(caller.orgId),
      core.tags(caller.orgId),
      core.contactsOfAccounts(caller, ids),
    ]);
    const userIds = [...accounts.flatMap((a) => (a.assigned_to as number[] | undefined) ?? []), ...[...creators.values()].filter((x): x is number => x !== null)];
    const users = new Map([...(await core.usersById(userIds))].filter(([, u]) => u.orgId === caller.orgId));
    return {
      org: org!,
      users,
      teams: new Map(teams.map((t) => [t.id, t])),
      tagIdByName: new Map(tags.map((t) => [t.name, t.id])),
      creators,
      contacts,
    };
  }

  /** A live (not soft-deleted) account the caller may see, in its v2 shape; 404 otherwise. */
  async function liveAccount(caller: Caller, id: number): Promise<Record<string, unknown>> {
    const a = await core.getAccount(caller, id);
    if (a.is_deleted === true) throw notFound();
    return a;
  }

  // ---- list ----

  /** A filter parameter given once or repeated, as a list of strings. */
  const many = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : []);
  const first = (v: unknown): string | undefined => (Array.isArray(v) ? String(v[v.length - 1]) : typeof v === 'string' ? v : undefined);

  function dateBound(param: string, raw: string, end: boolean): string {
    if (/^\d{4}-\d{2}-\d{2}$/.test(raw)) return `${raw}T${end ? '23:59:59.999' : '00:00:00'}Z`;
    if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?$/.test(raw) && !Number.isNaN(Date.parse(raw.replace(' ', 'T')))) return raw.replace(' ', 'T');
    throw badParam(param, 'Enter a valid date/time.');
  }

  /** Django-CRM's list filters as the core's query (v2's query language); undefined when nothing can match. */
  async function filterQuery(caller: Caller, q: Record<string, unknown>): Promise<{ query: Record<string, unknown>; wireParam: Map<string, string> } | undefined> {
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
  async function section(caller: Caller, base: Record<string, unknown>, wireParam: Map<string, string>, status: string, limit: number, offset: number) {
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

  r.get('/', async (req, res) => {
    const caller = req.user!;
    const q = req.query as Record<string, unknown>;
    const limitRaw = first(q.limit);
    const offsetRaw = first(q.offset);
    let limit = limitRaw !== undefined && /^\d{1,6}$/.test(limitRaw) ? Number(limitRaw) : PER_PAGE;
    if (limit < 1) limit = PER_PAGE;
    limit = Math.min(limit, 1000);
    const offset = offsetRaw !== undefined && /^\d{1,12}$/.test(offsetRaw) ? Number(offsetRaw) : 0;
    const filters = await filterQuery(caller, q);
    const empty = { items: [] as Record<string, unknown>[], total: 0 };
    const [open, closed] = filters
      ? await Promise.all([section(caller, filters.query, filters.wireParam, 'open', limit, offset), section(caller, filters.query, filters.wireParam, 'closed', limit, offset)])
      : [empty, empty];
    const l = await lookups(caller, [...open.items, ...closed.items]);
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
  });

  // ---- writes ----

  /** Typed body → core input with references resolved (unknown ids dropped, never across orgs). */
  async function prepare(caller: Caller, fields: Record<string, unknown>, mode: 'create' | 'put' | 'patch') {
    const { typed, errors } = typeAccountBody(fields, mode);
    if (Object.keys(errors).length) throw invalid(errors);
    const input = typed.input;
    if (typed.industryLabel) await core.ensureIndustry(caller.orgId, typed.industryLabel);
    if (typed.tagIds.length) {
      const tags = await core.tags(caller.orgId);
      const names = typed.tagIds.flatMap((id) => tags.filter((t) => t.id === id).map((t) => t.name));
      input.tags = [...((input.tags as string[] | undefined) ?? []), ...names];
    }
    if (Array.isArray(input.assigned_to)) {
      const users = new Set((await core.users(caller.orgId)).map((u) => u.id));
      input.assigned_to = (input.assigned_to as number[]).filter((id) => users.has(id));
    }
    if (Array.isArray(input.teams)) {
      const teams = new Set((await core.teams(caller.orgId)).map((t) => t.id));
      input.teams = (input.teams as number[]).filter((id) => teams.has(id));
    }
    return { input, contacts: typed.contacts };
  }

  /** Links these contacts to the account; with `replace`, the account's other contacts are unlinked. */
  async function linkContacts(caller: Caller, accountId: number, contacts: number[] | undefined, replace: boolean) {
    if (contacts === undefined) return;
    const visible = new Map((await core.orgContacts(caller)).map((c) => [c.id as number, c.account_id as number | null]));
    for (const id of contacts) if (visible.has(id) && visible.get(id) !== accountId) await core.setContactAccount(caller, id, accountId);
    if (replace) {
      for (const [id, acc] of visible) if (acc === accountId && !contacts.includes(id)) await core.setContactAccount(caller, id, null);
    }
  }

  r.post('/', async (req, res) => {
    const caller = req.user!;
    const body = await readBody(req, opts.attachmentMaxBytes);
    try {
      const { input, contacts } = await prepare(caller, body.fields, 'create');
      const companyId = await core.defaultCompanyId(caller.orgId);
      if (companyId === undefined) throw invalid({ non_field_errors: ['This organization has no company to hold accounts.'] });
      const created = await core.createAccount(caller, { ...input, company_id: companyId });
      const id = created.id as number;
      await linkContacts(caller, id, contacts, false);
      if (body.file) await core.uploadAttachment(caller, id, receiveSpooled(body.file));
      res.json({ error: false, message: 'Account Created Successfully', id: encodeId('account', id) });
    } finally {
      await removeSpooled(body);
    }
  });

  // Comment and attachment routes come before `/:id` so their paths are not read as account ids.
  const commentText = (fields: Record<string, unknown>, errors: Errors): string | undefined => {
    const raw = fields.comment;
    const v = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    if (v === undefined || v === null || (typeof v === 'string' && v.trim() === '')) errors.comment = [v === undefined ? 'This field is required.' : 'This field may not be blank.'];
    else if (typeof v !== 'string') errors.comment = ['Not a valid string.'];
    else if (v.length > COMMENT_MAX) errors.comment = [`Ensure this field has no more than ${COMMENT_MAX} characters.`];
    else if (v.includes('\u0000')) errors.comment = ['Null characters are not allowed.'];
    else return v;
    return undefined;
  };

  const editComment = (message: string) => async (req: Request, res: Response) => {
    const caller = req.user!;
    const id = pathId('comment', req.params.id);
    const body = await readBody(req, opts.attachmentMaxBytes);
    await removeSpooled(body);
    const errors: Errors = {};
    const text = commentText(body.fields, errors);
    if (text === undefined) throw invalid(errors);
    try {
      await core.editComment(caller, id, text);
    } catch (e) {
      throw writeError(e, "You don't have permission to edit this comment");
    }
    res.json({ error: false, message });
  };
  r.put('/comment/:id', editComment('Comment Submitted'));
  r.patch('/comment/:id', editComment('Comment Updated'));
  r.delete('/comment/:id', async (req, res) => {
    const id = pathId('comment', req.params.id);
    try {
      await core.removeComment(req.user!, id);
    } catch (e) {
      throw writeError(e, "You don't have permission to delete this comment");
    }
    res.json({ error: false, message: 'Comment Deleted Successfully' });
  });
  r.delete('/attachment/:id', async (req, res) => {
    const id = pathId('attachment', req.params.id);
    try {
      await core.removeAttachment(req.user!, id);
    } catch (e) {
      throw writeError(e, "You don't have permission to delete this attachment");
    }
    res.json({ error: false, message: 'Attachment Deleted Successfully' });
  });

  // ---- detail ----

  async function commentsAndAttachments(caller: Caller, id: number, l: wire.Lookups) {
    const [comments, attachments] = await Promise.all([core.listComments(caller, id), core.listAttachments(caller, id)]);
    const authorIds = [...comments.map((c) => c.commented_by as number), ...attachments.map((a) => a.uploaded_by as number)].filter((u) => !l.users.has(u));
    for (const [uid, u] of await core.usersById(authorIds)) if (u.orgId === caller.orgId) l.users.set(uid, u);
    return {
      comments: comments.reverse().map((c) => wire.comment(c, l)),
      attachments: attachments.map((a) => wire.attachment(a, l)),
    };
  }

  r.get('/:id', async (req, res) => {
    const caller = req.user!;
    const a = await liveAccount(caller, pathId('account', req.params.id));
    const id = a.id as number;
    const l = await lookups(caller, [a]);
    const [{ comments, attachments }, users, teams, emails, defs] = await Promise.all([
      commentsAndAttachments(caller, id, l),
      core.users(caller.orgId),
      core.teams(caller.orgId),
      core.listEmails(caller, id),
      core.customFieldDefinitions(caller.orgId),
    ]);
    const account = wire.account(a, l);
    res.json({
      account_obj: account,
      attachments,
      comments,
      contacts: account.contacts,
      opportunity_list: [],
      users: users.map(wire.profile),
      cases: [],
      teams: teams.map((t) => wire.team(t)),
      stages: [],
      sources: [],
      countries: COUNTRIES,
      currencies: [],
      case_types: [],
      case_priority: [],
      case_status: [],
      comment_permission: caller.role === 'admin' || l.creators.get(id) === caller.id,
      tasks: [],
      invoices: [],
      emails: emails.map((e) => wire.email(e)),
      users_mention: users.map((u) => ({ user__email: u.email })),
      leads: [],
      status: ['open', 'close'],
      custom_field_definitions: defs.map((d) => ({ key: d.key, label: d.label, type: d.type, choices: d.choices ?? null })),
    });
  });

  const update = (mode: 'put' | 'patch') => async (req: Request, res: Response) => {
    const caller = req.user!;
    const id = pathId('account', req.params.id);
    const body = await readBody(req, opts.attachmentMaxBytes);
    try {
      await liveAccount(caller, id);
      const { input, contacts } = await prepare(caller, body.fields, mode);
      try {
        await core.updateAccount(caller, id, input);
        await linkContacts(caller, id, contacts, true);
      } catch (e) {
        throw writeError(e, 'You do not have Permission to perform this action');
      }
      res.json({ error: false, message: 'Account Updated Successfully' });
    } finally {
      await removeSpooled(body);
    }
  };
  r.put('/:id', update('put'));
  r.patch('/:id', update('patch'));

  r.delete('/:id', async (req, res) => {
    const caller = req.user!;
    const id = pathId('account', req.params.id);
    await liveAccount(caller, id);
    try {
      await core.removeAccount(caller, id);
    } catch (e) {
      throw writeError(e, 'You do not have Permission to perform this action');
    }
    res.json({ error: false, message: 'Account Deleted Successfully.' });
  });

  // ---- comment and/or file on an account ----

  r.post('/:id', async (req, res) => {
    const caller = req.user!;
    const id = pathId('account', req.params.id);
    const body = await readBody(req, opts.attachmentMaxBytes);
    try {
      await liveAccount(caller, id);
      const raw = body.fields.comment;
      if (raw !== undefined && raw !== '') {
        const errors: Errors = {};
        const text = commentText(body.fields, errors);
        if (text === undefined) throw invalid(errors);
        await core.addComment(caller, id, text);
      }
      if (body.file) await core.uploadAttachment(caller, id, receiveSpooled(body.file));
      const a = await liveAccount(caller, id);
      const l = await lookups(caller, [a]);
      const { comments, attachments } = await commentsAndAttachments(caller, id, l);
      res.json({ account_obj: wire.account(a, l), attachments, comments });
    } finally {
      await removeSpooled(body);
    }
  });

  // ---- mail ----

  r.post('/:id/create_mail', async (req, res) => {
    const caller = req.user!;
    const id = decodeId('account', req.params.id);
    const body = await readBody(req, opts.attachmentMaxBytes);
    await removeSpooled(body);
    const f = body.fields as Record<string, unknown>;
    const one = (k: string) => {
      const v = f[k];
      return Array.isArray(v) ? v[v.length - 1] : v;
    };
    const missing = () => new DjangoError(404, { error: true, errors: 'Account not found' });
    if (!id) throw missing();
    try {
      await liveAccount(caller, id);
    } catch (e) {
      if (toDjangoError(e)?.status === 404) throw missing();
      throw e;
    }
    const errors: Errors = {};
    const from = one('from_email') ?? one('from_account');
    if (from === undefined || from === null || from === '') errors.from_email = ['This field is required.'];
    else if (typeof from !== 'string' || !/^[^\s@]+@[^\s@]+$/.test(from)) errors.from_email = ['Enter a valid email address.'];
    const subject = one('message_subject') ?? one('subject');
    const html = one('message_body') ?? one('html');
    if (typeof subject !== 'string' || subject.trim() === '') errors.message_subject = ['This field is required.'];
    if (typeof html !== 'string' || html.trim() === '') errors.message_body = ['This field is required.'];
    else if (!bracesBalance(html)) errors.message_body = ['Braces do not match.'];
    const later = f.scheduled_later === undefined || f.scheduled_later === null ? false : parseBool(one('scheduled_later'));
    if (later === undefined) errors.scheduled_later = ['Must be a valid boolean.'];
    const when = one('scheduled_date_time');
    if (later && (when === undefined || when === null || when === '')) errors.scheduled_date_time = ['This field is required when scheduled_later is true.'];
    // Recipients: contact ids (HEAD) or, as the seed writes them, addresses of org contacts.
    const items = relationItems(f.recipients ?? []);
    const recipients: (number | string)[] = [];
    if (items === 'invalid' || items.length === 0) errors.recipients = ['Please enter valid recipients.'];
    else {
      for (const item of items) {
        const s = String(item).trim();
        if (uuidHex(s) !== undefined) {
          const cid = decodeId('contact', s);
          if (!cid) errors.recipients = ['Please enter valid recipients.'];
          else recipients.push(cid);
        } else if (/^[^\s@]+@[^\s@]+$/.test(s)) recipients.push(s);
        else errors.recipients = ['Please enter valid recipients.'];
      }
    }
    if (Object.keys(errors).length) throw invalid(errors);
    let when2: string | null = null;
    if (later) when2 = String(when).replace(' ', 'T');
    try {
      const sent = await core.createEmail(caller, id, {
        recipients,
        subject: String(subject).trim(),
        html: String(html),
        from_account: String(from),
        scheduled_later: later === true,
        scheduled_date_time: when2,
      });
      res.json({ error: false, message: later ? 'Email scheduled successfully' : 'Email sent successfully', id: encodeId('email', sent.id) });
    } catch (e) {
      if (e instanceof DomainError && e.kind === 'invalid' && e.details) {
        const out: Errors = {};
        for (const d of e.details) {
          const k = d.field.startsWith('recipients') ? 'recipients' : d.field === 'from_account' || d.field === 'from' ? 'from_email' : d.field === 'subject' ? 'message_subject' : d.field === 'html' ? 'message_body' : d.field;
          (out[k] ??= []).push(k === 'recipients' ? 'Please enter valid recipients.' : d.message);
        }
        for (const k of Object.keys(out)) out[k] = [...new Set(out[k])];
        throw invalid(out);
      }
      throw e;
    }
  });

  return r;
}

function bracesBalance(s: string): boolean {
  let depth = 0;
  for (const c of s) {
    if (c === '{') depth++;
    else if (c === '}' && --depth < 0) return false;
  }
  return depth === 0;
}

/** `GET /api/attachments/<id>/download/`: the file, for whoever may see its account. */
export function attachmentRoutes(core: Core): Router {
  const r = Router();
  r.get('/:id/download', async (req, res) => {
    const { row, stream } = await core.openAttachment(req.user!, pathId('attachment', req.params.id));
    res.setHeader('Content-Type', String(row.content_type));
    res.setHeader('Content-Length', String(row.size));
    res.setHeader('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(String(row.file_name))}`);
    stream.pipe(res);
  });
  return r;
}
