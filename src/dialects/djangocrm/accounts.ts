/**
 * `/api/accounts/...` (DJANGO-CRM.md 3-9): wire in, typed input to the core (core.ts), core data out in
 * Django-CRM's shapes. Ids are UUIDs (ids.ts); a path id that is not one of ours is a 404.
 *
 * This file only composes the routes, in their order; the handlers live by concern: accounts-list.ts,
 * accounts-detail.ts, accounts-writes.ts, accounts-collaboration.ts (helpers in accounts-shared.ts).
 */
import { Router } from 'express';
import { Core } from './core';
import { commentOrFile, createMail, deleteAttachment, deleteComment, editComment } from './accounts-collaboration';
import { accountDetail } from './accounts-detail';
import { listAccounts } from './accounts-list';
import { AccountContext, AccountRoutesOptions } from './accounts-shared';
import { createAccount, deleteAccount, updateAccount } from './accounts-writes';

export type { AccountRoutesOptions } from './accounts-shared';
export { attachmentRoutes } from './accounts-collaboration';

export function accountRoutes(core: Core, opts: AccountRoutesOptions): Router {
  const ctx: AccountContext = { core, opts };
  const r = Router();
  r.get('/', listAccounts(ctx));
  r.post('/', createAccount(ctx));
  // Comment and attachment routes come before `/:id` so their paths are not read as account ids.
  r.put('/comment/:id', editComment(ctx, 'Comment Submitted'));
  r.patch('/comment/:id', editComment(ctx, 'Comment Updated'));
  r.delete('/comment/:id', deleteComment(ctx));
  r.delete('/attachment/:id', deleteAttachment(ctx));
  r.get('/:id', accountDetail(ctx));
  r.put('/:id', updateAccount(ctx, 'put'));
  r.patch('/:id', updateAccount(ctx, 'patch'));
  r.delete('/:id', deleteAccount(ctx));
  r.post('/:id', commentOrFile(ctx));
  r.post('/:id/create_mail', createMail(ctx));
  return r;
}
