import { Knex } from 'knex';
import { Caller } from '../../auth/basic';
import { BodyFormat } from '../../http/body';
import { ErrorDetail, NotFoundError, ValidationError } from '../../http/errors';
import { wireDateTime } from '../../http/wire';
import { validateBody } from '../../openapi/validator';
import { Catalogue, columnFields } from '../../query/catalogue';
import { parseListQuery } from '../../query/parse';
import { listRows, ListResult } from '../../query/list';
import { requireVisibleAccount, visibleThroughAccount } from '../access/account-scope';
import { onlyVisibleChildren } from '../access/visibility';

export type EmailRow = {
  id: number;
  account_id: number;
  created_by: number;
  from_account: string;
  recipients: string[];
  recipient_contact_ids: number[];
  subject: string;
  html: string;
  scheduled_later: boolean;
  scheduled_at: Date | null;
  status: string;
  attempts: number;
  last_error: string | null;
  sent_at: Date | null;
  next_attempt_at: Date;
  created_on: Date;
};

const emailCatalogue: Catalogue = {
  resource: 'e-mail',
  table: 'account_emails',
  fields: columnFields([
    ['id', 'integer', { nullable: false }],
    ['status', 'string', { nullable: false }],
    ['subject', 'string', { nullable: false }],
    ['attempts', 'integer', { nullable: false }],
    ['created_on', 'datetime', { nullable: false }],
    ['sent_at', 'datetime'],
  ]),
};

// ISO 8601 date-time; without an offset it is UTC, like every v2 datetime.
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?$/;

export interface MailOptions {
  /** False when no SMTP server is configured: mail is stored and stays queued. */
  smtpConfigured: boolean;
  defaultFrom: string;
}

/** Account e-mail: validated, stored in the outbox; the worker (src/mail) delivers it. */
export class EmailService {
  constructor(
    private readonly knex: Knex,
    private readonly maxLimit: number,
    private readonly mail: MailOptions,
  ) {}

  async list(caller: Caller, accountId: number, query: Record<string, unknown>): Promise<ListResult> {
    await requireVisibleAccount(this.knex, caller, accountId);
    const q = parseListQuery(query, { catalogue: emailCatalogue, customFields: new Map(), maxLimit: this.maxLimit });
    return listRows<EmailRow>({
      knex: this.knex,
      scoped: this.knex('account_emails').where({ 'account_emails.org_id': caller.orgId, 'account_emails.account_id': accountId }),
      catalogue: emailCatalogue,
      q,
      softDelete: false,
      serialize: async (rows) => rows.map((r) => this.serialize(r)),
    });
  }

  async get(caller: Caller, id: number) {
    const row = await visibleThroughAccount(this.knex, caller, 'account_emails').where('account_emails.id', id).first('account_emails.*');
    if (!row) throw new NotFoundError('e-mail', id);
    return this.serialize(row);
  }

  async create(caller: Caller, accountId: number, body: unknown, format: BodyFormat) {
    const input = validateBody('AccountEmailCreate', body, format);
    await requireVisibleAccount(this.knex, caller, accountId);
    const details: ErrorDetail[] = [];
    // A form (PHP http_build_query) sends every value as text: there, a number is a contact id.
    const recipients = (input.recipients as (number | string)[]).map((r) => (format === 'form' && typeof r === 'string' && /^\d{1,9}$/.test(r) ? Number(r) : r));
    const { addresses, contactIds } = await this.resolveRecipients(caller, recipients, details);

    const from = (input.from_account as string | undefined) ?? (input.from as string | undefined) ?? this.mail.defaultFrom;
    if (input.from_account !== undefined && input.from !== undefined && input.from !== input.from_account) {
      details.push({ field: 'from', message: 'differs from from_account; send one of them' });
    }
    if (![caller.email.toLowerCase(), this.mail.defaultFrom.toLowerCase()].includes(from.toLowerCase())) {
      details.push({ field: input.from_account !== undefined ? 'from_account' : 'from', message: `must be your own address (${caller.email}) or the server's (${this.mail.defaultFrom})` });
    }

    const later = input.scheduled_later === true;
    const when = input.scheduled_date_time as string | null | undefined;
    let scheduledAt: Date | null = null;
    if (later) {
      if (when === undefined || when === null || when === '') {
        details.push({ field: 'scheduled_date_time', message: 'is required when scheduled_later is true' });
      } else if (!DATETIME.test(when) || Number.isNaN(Date.parse(/[Zz]|[+-]\d{2}:\d{2}$/.test(when) ? when : `${when}Z`))) {
        details.push({ field: 'scheduled_date_time', message: 'must be an ISO 8601 date-time like 2026-12-01T09:00:00 (UTC unless an offset is given)' });
      } else {
        scheduledAt = new Date(/[Zz]|[+-]\d{2}:\d{2}$/.test(when) ? when : `${when}Z`);
        if (scheduledAt.getTime() <= Date.now()) details.push({ field: 'scheduled_date_time', message: `is in the past (now is ${new Date().toISOString()})` });
      }
    } else if (when !== undefined && when !== null && when !== '') {
      details.push({ field: 'scheduled_date_time', message: 'is only used with scheduled_later: true' });
    }
    if (details.length) throw new ValidationError(details);

    const [row] = await this.knex('account_emails')
      .insert({
        org_id: caller.orgId,
        account_id: accountId,
        created_by: caller.id,
        from_account: from,
        recipients: JSON.stringify(addresses),
        recipient_contact_ids: JSON.stringify(contactIds),
        subject: input.subject,
        html: input.html,
        scheduled_later: later,
        scheduled_at: scheduledAt,
        status: later ? 'scheduled' : 'queued',
        next_attempt_at: scheduledAt ?? this.knex.fn.now(),
      })
      .returning('*');
    return this.serialize(row);
  }

  /**
   * Contact ids must be live contacts the caller can see, with an address; an address must belong
   * to the organisation (a contact, an account or a user), so the CRM never mails strangers.
   */
  private async resolveRecipients(caller: Caller, items: (number | string)[], details: ErrorDetail[]) {
    const ids = items.filter((x): x is number => typeof x === 'number');
    const emails = items.filter((x): x is string => typeof x === 'string').map((e) => e.trim().toLowerCase());
    const contacts = new Map<number, string | null>();
    if (ids.length) {
      const rows = await onlyVisibleChildren(this.knex('contacts').where({ 'contacts.org_id': caller.orgId, 'contacts.is_deleted': false }), caller, 'contacts')
        .whereIn('contacts.id', ids)
        .select('contacts.id', 'contacts.email');
      for (const r of rows) contacts.set(r.id, r.email);
    }
    const known = new Set<string>();
    if (emails.length) {
      const lower = (t: string, c: string) => this.knex(t).where('org_id', caller.orgId).whereRaw(`lower(??) IN (${emails.map(() => '?').join(', ')})`, [c, ...emails]).select(this.knex.raw('lower(??) AS e', [c]));
      const [a, b, c] = await Promise.all([lower('contacts', 'email').where('is_deleted', false), lower('accounts', 'email'), lower('users', 'email')]);
      for (const r of [...a, ...b, ...c]) known.add(r.e);
    }
    const addresses: string[] = [];
    items.forEach((item, i) => {
      if (typeof item === 'number') {
        const email = contacts.get(item);
        if (email === undefined) details.push({ field: `recipients[${i}]`, message: `contact ${item} does not exist in this organisation` });
        else if (!email) details.push({ field: `recipients[${i}]`, message: `contact ${item} has no e-mail address` });
        else addresses.push(email);
      } else if (!known.has(item.trim().toLowerCase())) {
        details.push({ field: `recipients[${i}]`, message: `${item} is not the address of a contact, account or user of this organisation` });
      } else addresses.push(item.trim());
    });
    return { addresses: [...new Set(addresses)], contactIds: [...new Set(ids)] };
  }

  private serialize(r: EmailRow) {
    const waiting = r.status === 'queued' || r.status === 'scheduled';
    return {
      id: r.id,
      account_id: r.account_id,
      from_account: r.from_account,
      recipients: r.recipients,
      recipient_contact_ids: r.recipient_contact_ids,
      subject: r.subject,
      html: r.html,
      scheduled_later: r.scheduled_later,
      scheduled_date_time: wireDateTime(r.scheduled_at),
      status: r.status,
      attempts: r.attempts,
      last_error: r.last_error,
      next_attempt_at: waiting ? wireDateTime(r.next_attempt_at) : null,
      sent_at: wireDateTime(r.sent_at),
      created_by: r.created_by,
      created_on: wireDateTime(r.created_on),
      notice: waiting && !this.mail.smtpConfigured ? 'SMTP is not configured on this server (set SMTP_HOST); the e-mail stays queued until it is' : null,
    };
  }
}
