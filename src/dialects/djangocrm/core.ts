/**
 * The Django-CRM dialect's ONE door into the core: every service call and every lookup the dialect
 * needs goes through here, so re-pointing the dialect after a core restructure is this file only.
 * No domain rule lives here: visibility, validation, soft delete and history are the services'.
 * The services still take a BodyFormat; the dialect has typed every value already, so it passes 'json'.
 */
import { Request } from 'express';
import { Knex } from 'knex';
import { Caller, checkCredentials } from '../../auth/basic';
import { LoginThrottle, LoginThrottleOptions } from '../../auth/throttle';
import { AccountService } from '../../crm/accounts/service';
import { AttachmentService } from '../../crm/attachments/service';
import { AttachmentStore } from '../../crm/attachments/store';
import { CommentService } from '../../crm/comments/service';
import { ContactService } from '../../crm/contacts/service';
import { EmailService } from '../../crm/emails/service';
import { loadDefinitions } from '../../meta/custom-fields';
import type { Invalidations } from '../../db/notify';

export type { Caller } from '../../auth/basic';

export interface CoreOptions {
  maxLimit: number;
  attachmentsDir: string;
  attachmentMaxBytes: number;
  mail: { smtpConfigured: boolean; defaultFrom: string };
  login?: LoginThrottleOptions;
  invalidations?: Invalidations;
}

export interface UserInfo {
  id: number;
  orgId: number;
  email: string;
  name: string | null;
  role: 'admin' | 'user';
  isActive: boolean;
  created: Date;
}

/** Collects a list's batches into one array (the facade's pages are bounded). */
async function collect(batches: AsyncIterable<Record<string, unknown>[]>): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for await (const b of batches) out.push(...b);
  return out;
}

export class Core {
  readonly accounts: AccountService;
  readonly contacts: ContactService;
  readonly comments: CommentService;
  readonly attachments: AttachmentService;
  readonly emails: EmailService;
  private readonly throttle: LoginThrottle;

  constructor(private readonly knex: Knex, opts: CoreOptions) {
    this.accounts = new AccountService(knex, opts.maxLimit, opts.invalidations);
    this.contacts = new ContactService(knex, opts.maxLimit);
    this.comments = new CommentService(knex);
    this.attachments = new AttachmentService(knex, new AttachmentStore(opts.attachmentsDir), opts.attachmentMaxBytes);
    this.emails = new EmailService(knex, opts.maxLimit, opts.mail);
    this.throttle = new LoginThrottle(opts.login);
  }

  // ---- users, organisations, login ----

  /** E-mail and password, throttled like the v2 Basic login (src/auth/throttle.ts). */
  async login(ip: string, email: string, password: string): Promise<Caller | undefined> {
    const account = email.trim().toLowerCase();
    await this.throttle.admit(ip, account);
    const caller = await this.throttle.hashing(() => checkCredentials(this.knex, email, password));
    if (caller) await this.throttle.succeeded(account);
    else await this.throttle.failed(ip, account);
    return caller;
  }

  async user(id: number): Promise<UserInfo | undefined> {
    const r = await this.knex('users').where({ id }).first('id', 'org_id', 'email', 'name', 'role', 'is_active', 'created');
    return r && { id: r.id, orgId: r.org_id, email: r.email, name: r.name, role: r.role, isActive: r.is_active, created: r.created };
  }

  /** The organisations a user belongs to (v2crm: a user is a member of exactly one). */
  async orgsOf(user: UserInfo): Promise<{ id: number; name: string; role: string }[]> {
    const org = await this.knex('orgs').where({ id: user.orgId }).first('id', 'name');
    return org ? [{ id: org.id, name: org.name, role: user.role }] : [];
  }

  async org(orgId: number): Promise<{ id: number; name: string } | undefined> {
    return this.knex('orgs').where({ id: orgId }).first('id', 'name');
  }

  /** The organisation's active users (Django-CRM's profiles). */
  async users(orgId: number): Promise<UserInfo[]> {
    const rows = await this.knex('users').where({ org_id: orgId, is_active: true }).orderBy('id').select('id', 'org_id', 'email', 'name', 'role', 'is_active', 'created');
    return rows.map((r) => ({ id: r.id, orgId: r.org_id, email: r.email, name: r.name, role: r.role, isActive: r.is_active, created: r.created }));
  }

  async usersById(ids: number[]): Promise<Map<number, UserInfo>> {
    if (!ids.length) return new Map();
    const rows = await this.knex('users').whereIn('id', [...new Set(ids)]).select('id', 'org_id', 'email', 'name', 'role', 'is_active', 'created');
    return new Map(rows.map((r) => [r.id, { id: r.id, orgId: r.org_id, email: r.email, name: r.name, role: r.role, isActive: r.is_active, created: r.created }]));
  }

  // ---- lookups for the Django-CRM shapes (no service exists for these reads) ----

  async teams(orgId: number): Promise<{ id: number; name: string; description: string | null; created: Date }[]> {
    return this.knex('teams').where({ org_id: orgId }).orderBy('id').select('id', 'name', 'description', 'created');
  }

  async tags(orgId: number): Promise<{ id: number; name: string }[]> {
    return this.knex('tags').where({ org_id: orgId }).orderBy('id').select('id', 'name');
  }

  /** The first company of the organisation: where a Django-CRM client's new accounts go. */
  async defaultCompanyId(orgId: number): Promise<number | undefined> {
    return (await this.knex('companies').where({ org_id: orgId }).orderBy('id').first('id'))?.id;
  }

  /** Makes one of Django-CRM's fixed industry choices available in the organisation's managed list. */
  async ensureIndustry(orgId: number, label: string): Promise<void> {
    const existing = await this.knex('industries').where({ org_id: orgId }).whereRaw('lower(name) = ?', [label.toLowerCase()]).first('id');
    if (!existing) await this.knex('industries').insert({ org_id: orgId, name: label }).onConflict(['org_id', 'name']).ignore();
  }

  /** Creator of each account (the v2 shape does not carry it). */
  async accountCreators(orgId: number, ids: number[]): Promise<Map<number, number | null>> {
    if (!ids.length) return new Map();
    const rows = await this.knex('accounts').where('org_id', orgId).whereIn('id', ids).select('id', 'created_by');
    return new Map(rows.map((r) => [r.id as number, r.created_by as number | null]));
  }

  /** The organisation's live contacts (id, name, e-mail, account), for the form lists and recipients. */
  async orgContacts(caller: Caller): Promise<Record<string, unknown>[]> {
    return collect((await this.contacts.list(caller, { _order: 'id', _limit: '1000' })).batches);
  }

  async customFieldDefinitions(orgId: number) {
    return [...(await loadDefinitions(this.knex, orgId, 'crm/accounts')).values()];
  }

  // ---- accounts (AccountService) ----

  async listAccounts(caller: Caller, v2Query: Record<string, unknown>) {
    const r = await this.accounts.list(caller, v2Query);
    return { items: await collect(r.batches), total: r.pagination?.total };
  }

  getAccount(caller: Caller, id: number) {
    return this.accounts.get(caller, id).then((r) => r.body);
  }

  createAccount(caller: Caller, input: Record<string, unknown>) {
    return this.accounts.create(caller, input, 'json').then((r) => r.body);
  }

  updateAccount(caller: Caller, id: number, input: Record<string, unknown>) {
    return this.accounts.update(caller, id, input, 'json').then((r) => r.body);
  }

  removeAccount(caller: Caller, id: number) {
    return this.accounts.remove(caller, id);
  }

  // ---- contacts of an account (ContactService) ----

  contactsOfAccounts(caller: Caller, accountIds: number[]): Promise<Map<number, Record<string, unknown>[]>> {
    return this.contacts.ofAccounts(caller, accountIds);
  }

  async contactsOf(caller: Caller, accountId: number): Promise<Record<string, unknown>[]> {
    return (await this.contacts.ofAccounts(caller, [accountId])).get(accountId) ?? [];
  }

  setContactAccount(caller: Caller, contactId: number, accountId: number | null) {
    return this.contacts.update(caller, contactId, { account_id: accountId }, 'json');
  }

  // ---- comments, attachments, e-mail ----

  listComments(caller: Caller, accountId: number) {
    return this.comments.list(caller, accountId);
  }
  addComment(caller: Caller, accountId: number, comment: string) {
    return this.comments.create(caller, accountId, { comment }, 'json');
  }
  editComment(caller: Caller, id: number, comment: string) {
    return this.comments.update(caller, id, { comment }, 'json');
  }
  removeComment(caller: Caller, id: number) {
    return this.comments.remove(caller, id);
  }
  listAttachments(caller: Caller, accountId: number) {
    return this.attachments.list(caller, accountId);
  }
  /** `upload` reads one multipart file part named `attachment` from the request-like stream. */
  uploadAttachment(caller: Caller, accountId: number, upload: Request) {
    return this.attachments.upload(caller, accountId, upload);
  }
  openAttachment(caller: Caller, id: number) {
    return this.attachments.open(caller, id);
  }
  removeAttachment(caller: Caller, id: number) {
    return this.attachments.remove(caller, id);
  }
  createEmail(caller: Caller, accountId: number, input: { recipients: (number | string)[]; subject: string; html: string; from_account?: string; scheduled_later: boolean; scheduled_date_time?: string | null }) {
    return this.emails.create(caller, accountId, input, 'json');
  }
  async listEmails(caller: Caller, accountId: number) {
    return collect((await this.emails.list(caller, accountId, { _order: '-id', _limit: '100' })).batches);
  }
}
