import { Knex } from 'knex';
import { AccountService } from '../domain/accounts/service';
import { AttachmentService } from '../domain/attachments/service';
import { AttachmentStore } from '../domain/attachments/store';
import { CommentService } from '../domain/comments/service';
import { ContactService } from '../domain/contacts/service';
import { InvoiceService } from '../domain/invoices/service';
import { V2Records } from '../dialects/v2/records';
import type { RecordSource } from '../sync/records';

/**
 * Composition (this folder may wire anything to anything): the webhook worker's record source is the
 * v2 dialect's rendering over the core's services. Reads only, so limits do not matter here.
 */
export function v2RecordSource(knex: Knex, attachmentsDir: string): RecordSource {
  return new V2Records({
    accounts: new AccountService(knex, 1),
    contacts: new ContactService(knex),
    invoices: new InvoiceService(knex),
    comments: new CommentService(knex),
    attachments: new AttachmentService(knex, new AttachmentStore(attachmentsDir), 1),
  });
}
