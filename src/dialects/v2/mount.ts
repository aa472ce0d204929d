import { Router } from 'express';
import { Knex } from 'knex';
import { CommentService } from '../../domain/comments/service';
import { ContactService } from '../../domain/contacts/service';
import { CurrencyService } from '../../domain/currencies/service';
import { CustomFieldService } from '../../domain/custom-fields/service';
import { AttachmentService } from '../../domain/attachments/service';
import { AttachmentStore } from '../../domain/attachments/store';
import { EmailService, MailOptions } from '../../domain/emails/service';
import { IndustryService } from '../../domain/industries/service';
import { InvoiceService } from '../../domain/invoices/service';
import { TeamService } from '../../domain/teams/service';
import { UserService } from '../../domain/users/service';
import { accountAttachmentRoutes, attachmentRoutes, AttachmentsV2 } from './attachments';
import { accountCommentRoutes, commentRoutes, CommentsV2 } from './comments';
import { contactRoutes, ContactsV2 } from './contacts';
import { metaRoutes } from './custom-fields';
import { emailRoutes } from './emails';
import { financeRoutes } from './finance';
import { industryRoutes } from './industries';
import { InvoicesV2 } from './invoices';
import { teamRoutes } from './teams';
import { userRoutes } from './users';

export interface V2Config {
  maxLimit: number;
  attachmentsDir: string;
  attachmentMaxBytes: number;
  mail: MailOptions;
}

/** What the accounts routes embed (`?expand=`, `/accounts/:id/contacts`...). */
export interface V2Relations {
  contacts: ContactsV2;
  invoices: InvoicesV2;
  comments: CommentsV2;
  attachments: AttachmentsV2;
}

/**
 * Builds the core services over `knex` and mounts their v2 routes on the `/api` router: every
 * resource but accounts, whose routes take the returned relations. Called before accounts are
 * mounted, so `/v2/crm/accounts/:id/comments` and its siblings are matched first.
 */
export function mountV2Resources(api: Router, knex: Knex, config: V2Config): V2Relations {
  const contacts = new ContactsV2(new ContactService(knex), config.maxLimit);
  const invoices = new InvoicesV2(new InvoiceService(knex), config.maxLimit);
  const comments = new CommentsV2(new CommentService(knex));
  const attachments = new AttachmentsV2(new AttachmentService(knex, new AttachmentStore(config.attachmentsDir), config.attachmentMaxBytes));
  const emails = emailRoutes(new EmailService(knex, config.mail), config.maxLimit);
  api.use('/v2/crm/accounts/:id/comments', accountCommentRoutes(comments));
  api.use('/v2/crm/accounts/:id/attachments', accountAttachmentRoutes(attachments));
  api.use('/v2/crm/accounts/:id/emails', emails.account);
  api.use('/v2/crm/comments', commentRoutes(comments));
  api.use('/v2/crm/attachments', attachmentRoutes(attachments));
  api.use('/v2/crm/emails', emails.single);
  api.use('/v2/crm/contacts', contactRoutes(contacts));
  api.use('/v2/crm/teams', teamRoutes(new TeamService(knex), config.maxLimit));
  api.use('/v2/crm/industries', industryRoutes(new IndustryService(knex)));
  api.use('/v2/finance', financeRoutes({ currencies: new CurrencyService(knex), invoices, maxLimit: config.maxLimit }));
  api.use('/v2/meta', metaRoutes(new CustomFieldService(knex)));
  api.use('/v2/users', userRoutes(new UserService(knex)));
  return { contacts, invoices, comments, attachments };
}
