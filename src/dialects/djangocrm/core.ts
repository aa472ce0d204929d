/**
 * The Django-CRM dialect's ONE door into the core: every service call and every lookup the dialect
 * needs goes through here, so re-pointing the dialect after a core restructure is this file only.
 * No domain rule lives here: visibility, validation, soft delete and history are the services'.
 * The services take typed values (the dialect has typed them) and return plain data; records are
 * read by wire name through each resource's catalogue (recordOf), never through another dialect.
 */
import { Knex } from 'knex';
import { Caller, checkCredentials } from '../../auth/basic';
import { LoginThrottle, LoginThrottleOptions } from '../../auth/throttle';
import { AccountService } from '../../domain/accounts/service';
import { accountBatchObjects, accountBody } from '../../domain/accounts/record';
import { AttachmentService } from '../../domain/attachments/service';
import { AttachmentStore } from '../../domain/attachments/store';
import { ATTACHMENT_FIELDS } from '../../domain/attachments/fields';
import { CommentService } from '../../domain/comments/service';
import { COMMENT_FIELDS } from '../../domain/comments/fields';
import { ContactService } from '../../domain/contacts/service';
import { CONTACT_FIELDS, contactCatalogue } from '../../domain/contacts/fields';
import { EmailService } from '../../domain/emails/service';
import { EMAIL_FIELDS, emailCatalogue } from '../../domain/emails/fields';
import { recordOf } from '../../domain/fields';
import { loadDefinitions } from '../../domain/custom-fields/repo';
import { parseListQuery } from '../../query/parse';
import type { ReceiveFile } from '../../domain/attachments/service';
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
async function collect<T>(batches: AsyncIterable<T[]>): Promise<T[]> {
  const out: T[] = [];
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
  private readonly maxLimit: number;

  constructor(private readonly knex: Knex, opts: CoreOptions) {
    this.accounts = new AccountService(knex, opts.maxLimit, opts.invalidations);
    this.contacts = new ContactService(knex);
    this.comments = new CommentService(knex);
    this.attachments = new AttachmentService(knex, new AttachmentStore(opts.attachmentsDir), opts.attachmentMaxBytes);
    this.maxLimit = opts.maxLimit;
    this.emails = new EmailService(knex, opts.mail);
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
    const q = parseListQuery({ _order: 'id', _limit: '1000' }, { catalogue: contactCatalogue, customFields: new Map(), maxLimit: this.maxLimit });
    return (await collect((await this.contacts.list(caller, q)).batches)).map((c) => recordOf(CONTACT_FIELDS, c));
  }

  async customFieldDefinitions(orgId: number) {
    return [...(await loadDefinitions(this.knex, orgId, 'crm/accounts')).values()];
  }

  // ---- accounts (AccountService) ----

  async listAccounts(caller: Caller, v2Query: Record<string, unknown>) {
    const r = await this.accounts.list(caller, v2Query);
    return { items: (await collect(r.batches)).flatMap(accountBatchObjects), total: r.pagination?.total };
  }

  getAccount(caller: Caller, id: number) {
    return this.accounts.get(caller, id).then(accountBody);
  }

  createAccount(caller: Caller, input: Record<string, unknown>) {
    return this.accounts.create(caller, input).then(accountBody);
  }

  updateAccount(caller: Caller, id: number, input: Record<string, unknown>) {
    return this.accounts.update(caller, id, input).then(accountBody);
  }

  removeAccount(caller: Caller, id: number) {
    return this.accounts.remove(caller, id);
  }

  // ---- contacts of an account (ContactService) ----

  async contactsOfAccounts(caller: Caller, accountIds: number[]): Promise<Map<number, Record<string, unknown>[]>> {
    const byAccount = await this.contacts.ofAccounts(caller, accountIds);
    return new Map([...byAccount].map(([id, rows]) => [id, rows.map((c) => recordOf(CONTACT_FIELDS, c))]));
  }

  async contactsOf(caller: Caller, accountId: number): Promise<Record<string, unknown>[]> {
    return (await this.contactsOfAccounts(caller, [accountId])).get(accountId) ?? [];
  }

  setContactAccount(caller: Caller, contactId: number, accountId: number | null) {
    return this.contacts.update(caller, contactId, { account_id: accountId });
  }

  // ---- comments, attachments, e-mail ----

  async listComments(caller: Caller, accountId: number) {
    return (await this.comments.list(caller, accountId)).map((c) => recordOf(COMMENT_FIELDS, c));
  }
  addComment(caller: Caller, accountId: number, comment: string) {
    return this.comments.create(caller, accountId, { comment });
  }
  editComment(caller: Caller, id: number, comment: string) {
    return this.comments.update(caller, id, { comment });
  }
  removeComment(caller: Caller, id: number) {
    return this.comments.remove(caller, id);
  }
  async listAttachments(caller: Caller, accountId: number) {
    return (await this.attachments.list(caller, accountId)).map((a) => recordOf(ATTACHMENT_FIELDS, a));
  }
  /** `receive` moves the file the dialect has read into the store (see multipart.ts receiveSpooled). */
  uploadAttachment(caller: Caller, accountId: number, receive: ReceiveFile) {
    return this.attachments.upload(caller, accountId, receive);
  }
  async openAttachment(caller: Caller, id: number) {
    const { row, stream } = await this.attachments.open(caller, id);
    return { row: recordOf(ATTACHMENT_FIELDS, row), stream };
  }
  removeAttachment(caller: Caller, id: number) {
    return this.attachments.remove(caller, id);
  }
  createEmail(caller: Caller, accountId: number, input: { recipients: (number | string)[]; subject: string; html: string; from_account?: string; scheduled_later: boolean; scheduled_date_time?: string | null }) {
    return this.emails.create(caller, accountId, input);
  }
  async listEmails(caller: Caller, accountId: number) {
    const q = parseListQuery({ _order: '-id', _limit: '100' }, { catalogue: emailCatalogue, customFields: new Map(), maxLimit: this.maxLimit });
    return (await collect((await this.emails.list(caller, accountId, q)).batches)).map((e) => recordOf(EMAIL_FIELDS, e));
  }
}
