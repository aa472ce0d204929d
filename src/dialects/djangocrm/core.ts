/**
 * The Django-CRM dialect's ONE door into the core: every service call and every lookup the dialect
 * needs goes through here, so re-pointing the dialect after a core restructure is this file only.
 * No domain rule lives here: visibility, validation, soft delete and history are the services'.
 * The services take typed values (the dialect has typed them) and return plain data; records are
 * read by wire name through each resource's catalogue (recordOf), never through another dialect.
 */
import type { Caller } from '../../core/caller';
import { LoginThrottle, LoginThrottleOptions } from '../../auth/throttle';
import type { AccountService } from '../../domain/accounts/service';
import { accountBatchObjects, accountBody } from '../../domain/accounts/record';
import type { AttachmentService } from '../../domain/attachments/service';
import type { CustomFieldDefinition } from '../../query/catalogue';
import type { Directory, UserInfo } from '../../domain/directory/repo';
import { ATTACHMENT_FIELDS } from '../../domain/attachments/fields';
import type { CommentService } from '../../domain/comments/service';
import { COMMENT_FIELDS } from '../../domain/comments/fields';
import type { ContactService } from '../../domain/contacts/service';
import { CONTACT_FIELDS, contactCatalogue } from '../../domain/contacts/fields';
import type { EmailService } from '../../domain/emails/service';
import { EMAIL_FIELDS, emailCatalogue } from '../../domain/emails/fields';
import { recordOf } from '../../domain/fields';
import { parseListQuery } from '../../query/parse';
import type { ReceiveFile } from '../../domain/attachments/service';

export type { Caller } from '../../core/caller';

/** What the facade is built over; src/compose/djangocrm.ts makes them (a dialect holds no database handle). */
export interface CoreDeps {
  accounts: AccountService;
  contacts: ContactService;
  comments: CommentService;
  attachments: AttachmentService;
  emails: EmailService;
  directory: Directory;
  /** E-mail and password → the caller, or undefined (src/auth/basic.ts checkCredentials). */
  checkCredentials: (email: string, password: string) => Promise<Caller | undefined>;
  /** The organisation's account custom fields. */
  definitions: (orgId: number) => Promise<Map<string, CustomFieldDefinition>>;
  maxLimit: number;
  login?: LoginThrottleOptions;
}

export type { UserInfo } from '../../domain/directory/repo';

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

  private readonly d: Directory;

  constructor(private readonly deps: CoreDeps) {
    ({ accounts: this.accounts, contacts: this.contacts, comments: this.comments, attachments: this.attachments, emails: this.emails, directory: this.d } = deps);
    this.maxLimit = deps.maxLimit;
    this.throttle = new LoginThrottle(deps.login);
  }

  // ---- the organisation's directory (src/domain/directory) ----
  user = (id: number) => this.d.user(id);
  orgsOf = (user: UserInfo) => this.d.orgsOf(user);
  org = (orgId: number) => this.d.org(orgId);
  users = (orgId: number) => this.d.users(orgId);
  usersById = (ids: number[]) => this.d.usersById(ids);
  teams = (orgId: number) => this.d.teams(orgId);
  tags = (orgId: number) => this.d.tags(orgId);
  defaultCompanyId = (orgId: number) => this.d.defaultCompanyId(orgId);
  ensureIndustry = (orgId: number, label: string) => this.d.ensureIndustry(orgId, label);
  accountCreators = (orgId: number, ids: number[]) => this.d.accountCreators(orgId, ids);

  // ---- users, organisations, login ----

  /** E-mail and password, throttled like the v2 Basic login (src/auth/throttle.ts). */
  async login(ip: string, email: string, password: string): Promise<Caller | undefined> {
    const account = email.trim().toLowerCase();
    await this.throttle.admit(ip, account);
    const caller = await this.throttle.hashing(() => this.deps.checkCredentials(email, password));
    if (caller) await this.throttle.succeeded(account);
    else await this.throttle.failed(ip, account);
    return caller;
  }

  /** The organisation's live contacts (id, name, e-mail, account), for the form lists and recipients. */
  async orgContacts(caller: Caller): Promise<Record<string, unknown>[]> {
    const q = parseListQuery({ _order: 'id', _limit: '1000' }, { catalogue: contactCatalogue, customFields: new Map(), maxLimit: this.maxLimit });
    return (await collect((await this.contacts.list(caller, q)).batches)).map((c) => recordOf(CONTACT_FIELDS, c));
  }

  async customFieldDefinitions(orgId: number) {
    return [...(await this.deps.definitions(orgId)).values()];
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
