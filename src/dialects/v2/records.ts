import type { Caller } from '../../core/caller';
import { NotFoundError } from '../../core/errors';
import type { AccountService } from '../../domain/accounts/service';
import { accountBody } from '../../domain/accounts/record';
import type { AttachmentService } from '../../domain/attachments/service';
import type { CommentService } from '../../domain/comments/service';
import type { ContactService } from '../../domain/contacts/service';
import type { InvoiceService } from '../../domain/invoices/service';
import type { RecordSource } from '../../sync/records';
import { serializeAttachment } from './attachments';
import { serializeComment } from './comments';
import { serializeContact } from './contacts';
import { serializeInvoice } from './invoices';

export interface RecordServices {
  accounts: AccountService;
  contacts: ContactService;
  invoices: InvoiceService;
  comments: CommentService;
  attachments: AttachmentService;
}

/** Webhook bodies' `data`: each changed record read through its service and written as v2's GET writes it. */
export class V2Records implements RecordSource {
  constructor(private readonly s: RecordServices) {}

  async read(caller: Caller, resource: string, id: number): Promise<Record<string, unknown> | undefined> {
    try {
      switch (resource) {
        case 'crm/accounts':
          return accountBody(await this.s.accounts.get(caller, id));
        case 'crm/contacts':
          return serializeContact(await this.s.contacts.get(caller, id));
        case 'finance/sales_invoices':
          return serializeInvoice(await this.s.invoices.get(caller, id));
        case 'crm/attachments':
          return serializeAttachment(await this.s.attachments.get(caller, id));
        case 'crm/comments':
          return serializeComment(await this.s.comments.get(caller, id));
        default:
          return undefined;
      }
    } catch (e) {
      if (e instanceof NotFoundError) return undefined;
      throw e;
    }
  }
}
