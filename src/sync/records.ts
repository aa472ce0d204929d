import { Knex } from 'knex';
import { Caller } from '../auth/basic';
import { NotFoundError } from '../core/errors';
import { AccountService } from '../crm/accounts/service';
import { AttachmentService } from '../crm/attachments/service';
import { AttachmentStore } from '../crm/attachments/store';
import { CommentService } from '../crm/comments/service';
import { ContactService } from '../crm/contacts/service';
import { InvoiceService } from '../finance/invoices/service';

/**
 * A record "as GET returns it", for webhook bodies: the one place the sync code reaches into the
 * resources' read paths (so a restructure of the services re-points only this file). Undefined when
 * the record no longer exists (comments and attachments are deleted for good).
 */
export class RecordReader {
  private readonly accounts: AccountService;
  private readonly contacts: ContactService;
  private readonly invoices: InvoiceService;
  private readonly comments: CommentService;
  private readonly attachments: AttachmentService;

  constructor(private readonly knex: Knex, attachmentsDir: string) {
    this.accounts = new AccountService(knex, 1);
    this.contacts = new ContactService(knex, 1);
    this.invoices = new InvoiceService(knex, 1);
    this.comments = new CommentService(knex);
    this.attachments = new AttachmentService(knex, new AttachmentStore(attachmentsDir), 1);
  }

  /** Read as `caller` (the webhook's creator, as an admin of its organisation). */
  async read(caller: Caller, resource: string, id: number): Promise<Record<string, unknown> | undefined> {
    try {
      switch (resource) {
        case 'crm/accounts':
          return (await this.accounts.get(caller, id)).body;
        case 'crm/contacts':
          return (await this.contacts.get(caller, id)).body;
        case 'finance/sales_invoices':
          return (await this.invoices.get(caller, id)) as Record<string, unknown>;
        case 'crm/attachments':
          return (await this.attachments.get(caller, id)) as Record<string, unknown>;
        case 'crm/comments': {
          const row: { account_id: number } | undefined = await this.knex('comments').where({ org_id: caller.orgId, id }).first('account_id');
          if (!row) return undefined;
          const all = (await this.comments.list(caller, row.account_id)) as { id: number }[];
          return all.find((c) => c.id === id) as Record<string, unknown> | undefined;
        }
        default:
          return undefined;
      }
    } catch (e) {
      if (e instanceof NotFoundError) return undefined;
      throw e;
    }
  }
}
