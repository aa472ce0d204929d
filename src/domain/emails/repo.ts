import { Knex } from 'knex';
import type { Viewer } from '../../core/caller';
import { visibleThroughAccount } from '../../access/account-scope';
import { onlyVisibleChildren } from '../../access/visibility';

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

/** The only SQL of the e-mail outbox as the API sees it (the worker in src/mail drains it). */
export class EmailRepo {
  constructor(readonly knex: Knex) {}

  ofAccount(orgId: number, accountId: number): Knex.QueryBuilder {
    return this.knex('account_emails').where({ 'account_emails.org_id': orgId, 'account_emails.account_id': accountId });
  }

  findVisible(viewer: Viewer, id: number): Promise<EmailRow | undefined> {
    return visibleThroughAccount(this.knex, viewer, 'account_emails').where('account_emails.id', id).first('account_emails.*');
  }

  /** E-mail addresses of live contacts the viewer may see, by contact id (null when the contact has none). */
  async contactAddresses(viewer: Viewer, ids: number[]): Promise<Map<number, string | null>> {
    if (!ids.length) return new Map();
    const rows = await onlyVisibleChildren(this.knex('contacts').where({ 'contacts.org_id': viewer.orgId, 'contacts.is_deleted': false }), viewer, 'contacts')
      .whereIn('contacts.id', ids)
      .select('contacts.id', 'contacts.email');
    return new Map(rows.map((r: { id: number; email: string | null }) => [r.id, r.email]));
  }

  /** Which of the (lower-cased) addresses belong to a live contact, an account or a user of the organisation. */
  async knownAddresses(orgId: number, emails: string[]): Promise<Set<string>> {
    if (!emails.length) return new Set();
    const lower = (t: string, c: string) => this.knex(t).where('org_id', orgId).whereRaw(`lower(??) IN (${emails.map(() => '?').join(', ')})`, [c, ...emails]).select(this.knex.raw('lower(??) AS e', [c]));
    const [a, b, c] = await Promise.all([lower('contacts', 'email').where('is_deleted', false), lower('accounts', 'email'), lower('users', 'email')]);
    return new Set([...a, ...b, ...c].map((r: { e: string }) => r.e));
  }

  async insert(values: Record<string, unknown>): Promise<EmailRow> {
    const [row] = await this.knex('account_emails').insert(values).returning('*');
    return row;
  }

  now(): Knex.Raw {
    return this.knex.fn.now();
  }
}
