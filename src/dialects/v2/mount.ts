import { Router } from 'express';
import { CommentService } from '../../domain/comments/service';
import { ContactService } from '../../domain/contacts/service';
import { CurrencyService } from '../../domain/currencies/service';
import { CustomFieldService } from '../../domain/custom-fields/service';
import { AttachmentService } from '../../domain/attachments/service';
import { EmailService } from '../../domain/emails/service';
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

/** The core services the v2 routes call, built where the app is composed (src/app.ts holds knex; a dialect never does). */
export interface V2Services {
  contacts: ContactService;
  invoices: InvoiceService;
  comments: CommentService;
  attachments: AttachmentService;
  emails: EmailService;
  teams: TeamService;
  industries: IndustryService;
  currencies: CurrencyService;
  customFields: CustomFieldService;
  users: UserService;
}

/** What the accounts routes embed (`?expand=`, `/accounts/:id/contacts`...). */
export interface V2Relations {
  contacts: ContactsV2;
  invoices: InvoicesV2;
  comments: CommentsV2;
  attachments: AttachmentsV2;
}

/**
 * Mounts the v2 routes of every resource but accounts on the `/api` router; accounts' routes take
 * the returned relations. Called before accounts are mounted, so `/v2/crm/accounts/:id/comments`
 * and its siblings are matched first.
 */
export function mountV2Resources(api: Router, services: V2Services, maxLimit: number): V2Relations {
  const contacts = new ContactsV2(services.contacts, maxLimit);
  const invoices = new InvoicesV2(services.invoices, maxLimit);
  const comments = new CommentsV2(services.comments);
  const attachments = new AttachmentsV2(services.attachments);
  const emails = emailRoutes(services.emails, maxLimit);
  api.use('/v2/crm/accounts/:id/comments', accountCommentRoutes(comments));
  api.use('/v2/crm/accounts/:id/attachments', accountAttachmentRoutes(attachments));
  api.use('/v2/crm/accounts/:id/emails', emails.account);
  api.use('/v2/crm/comments', commentRoutes(comments));
  api.use('/v2/crm/attachments', attachmentRoutes(attachments));
  api.use('/v2/crm/emails', emails.single);
  api.use('/v2/crm/contacts', contactRoutes(contacts));
  api.use('/v2/crm/teams', teamRoutes(services.teams, maxLimit));
  api.use('/v2/crm/industries', industryRoutes(services.industries));
  api.use('/v2/finance', financeRoutes({ currencies: services.currencies, invoices, maxLimit }));
  api.use('/v2/meta', metaRoutes(services.customFields));
  api.use('/v2/users', userRoutes(services.users));
  return { contacts, invoices, comments, attachments };
}
