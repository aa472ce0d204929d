import { Knex } from 'knex';
import type { Caller, Viewer } from '../../core/caller';
import { FieldProblem, NotFoundError, ValidationError } from '../../core/errors';
import { parseScalar } from '../../core/values';
import { checkAccountVisible } from '../../access/account-scope';
import { listRows, ListResult } from '../../query/list';
import { ListQuery } from '../../query/parse';
import { emailCatalogue } from './fields';
import { EmailRepo, EmailRow } from './repo';

export type { EmailRow } from './repo';

export interface MailOptions {
  /** False when no SMTP server is configured: mail is stored and stays queued. */
  smtpConfigured: boolean;
  defaultFrom: string;
}

/** A new e-mail; recipients are contact ids or addresses. */
export interface EmailInput {
  recipients: (number | string)[];
  subject: string;
  html: string;
  from_account?: string;
  from?: string;
  scheduled_later?: boolean;
  scheduled_date_time?: string | null;
}

/** Account e-mail: validated, stored in the outbox; the worker (src/mail) delivers it. */
export class EmailService {
  private readonly repo: EmailRepo;

  constructor(
    private readonly knex: Knex,
    readonly mail: MailOptions,
  ) {
    this.repo = new EmailRepo(knex);
  }

  async list(viewer: Viewer, accountId: number, q: ListQuery): Promise<ListResult<EmailRow>> {
    await checkAccountVisible(this.knex, viewer, accountId);
    return listRows<EmailRow, EmailRow>({ knex: this.knex, scoped: this.repo.ofAccount(viewer.orgId, accountId), catalogue: emailCatalogue, q, softDelete: false, serialize: async (rows) => rows });
  }

  async get(viewer: Viewer, id: number): Promise<EmailRow> {
    const row = await this.repo.findVisible(viewer, id);
    if (!row) throw new NotFoundError('e-mail', id);
    return row;
  }

  async create(caller: Caller, accountId: number, input: EmailInput): Promise<EmailRow> {
    await checkAccountVisible(this.knex, caller, accountId);
    const details: FieldProblem[] = [];
    const { addresses, contactIds } = await this.resolveRecipients(caller, input.recipients, details);

    const from = input.from_account ?? input.from ?? this.mail.defaultFrom;
    if (input.from_account !== undefined && input.from !== undefined && input.from !== input.from_account) {
      details.push({ field: 'from', message: 'differs from from_account; send one of them' });
    }
    if (![caller.email.toLowerCase(), this.mail.defaultFrom.toLowerCase()].includes(from.toLowerCase())) {
      details.push({ field: input.from_account !== undefined ? 'from_account' : 'from', message: `must be your own address (${caller.email}) or the server's (${this.mail.defaultFrom})` });
    }
    const later = input.scheduled_later === true;
    const scheduledAt = this.schedule(later, input.scheduled_date_time, details);
    if (details.length) throw new ValidationError(details);

    return this.repo.insert({
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
      next_attempt_at: scheduledAt ?? this.repo.now(),
    });
  }

  /** When a scheduled mail goes out: an ISO 8601 datetime (UTC unless it has an offset) in the future. */
  private schedule(later: boolean, when: string | null | undefined, details: FieldProblem[]): Date | null {
    const given = when !== undefined && when !== null && when !== '';
    if (!later) {
      if (given) details.push({ field: 'scheduled_date_time', message: 'is only used with scheduled_later: true' });
      return null;
    }
    if (!given) {
      details.push({ field: 'scheduled_date_time', message: 'is required when scheduled_later is true' });
      return null;
    }
    const parsed = parseScalar('datetime', when);
    if ('error' in parsed) {
      details.push({ field: 'scheduled_date_time', message: 'must be an ISO 8601 date-time like 2026-12-01T09:00:00 (UTC unless an offset is given)' });
      return null;
    }
    const at = new Date(String(parsed.value));
    if (at.getTime() <= Date.now()) details.push({ field: 'scheduled_date_time', message: `is in the past (now is ${new Date().toISOString()})` });
    return at;
  }

  /**
   * Contact ids must be live contacts the caller can see, with an address; an address must belong
   * to the organisation (a contact, an account or a user), so the CRM never mails strangers.
   */
  private async resolveRecipients(viewer: Viewer, items: (number | string)[], details: FieldProblem[]) {
    const ids = items.filter((x): x is number => typeof x === 'number');
    const contacts = await this.repo.contactAddresses(viewer, ids);
    const known = await this.repo.knownAddresses(viewer.orgId, items.filter((x): x is string => typeof x === 'string').map((e) => e.trim().toLowerCase()));
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
}
