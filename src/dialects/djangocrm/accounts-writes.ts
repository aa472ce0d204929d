/**
 * Account writes: `POST /` (create, with an optional file), `PUT`/`PATCH /<id>` and `DELETE /<id>`, and
 * the contact linking a create or update carries.
 */
import { Request, Response } from 'express';
import { Caller, Core } from './core';
import { invalid } from './errors';
import { encodeId } from './ids';
import { typeAccountBody } from './input';
import { receiveSpooled } from './multipart';
import { AccountContext, liveAccount, pathId, readBody, removeSpooled, writeError } from './accounts-shared';

/** Typed body → core input with references resolved (unknown ids dropped, never across orgs). */
async function prepare(core: Core, caller: Caller, fields: Record<string, unknown>, mode: 'create' | 'put' | 'patch') {
  const { typed, errors } = typeAccountBody(fields, mode);
  if (Object.keys(errors).length) throw invalid(errors);
  const input = typed.input;
  if (typed.industryLabel) await core.ensureIndustry(caller.orgId, typed.industryLabel);
  if (typed.tagIds.length) {
    const tags = await core.tags(caller.orgId);
    const names = typed.tagIds.flatMap((id) => tags.filter((t) => t.id === id).map((t) => t.name));
    input.tags = [...((input.tags as string[] | undefined) ?? []), ...names];
  }
  if (Array.isArray(input.assigned_to)) {
    const users = new Set((await core.users(caller.orgId)).map((u) => u.id));
    input.assigned_to = (input.assigned_to as number[]).filter((id) => users.has(id));
  }
  if (Array.isArray(input.teams)) {
    const teams = new Set((await core.teams(caller.orgId)).map((t) => t.id));
    input.teams = (input.teams as number[]).filter((id) => teams.has(id));
  }
  return { input, contacts: typed.contacts };
}

/** Links these contacts to the account; with `replace`, the account's other contacts are unlinked. */
async function linkContacts(core: Core, caller: Caller, accountId: number, contacts: number[] | undefined, replace: boolean) {
  if (contacts === undefined) return;
  const visible = new Map((await core.orgContacts(caller)).map((c) => [c.id as number, c.account_id as number | null]));
  for (const id of contacts) if (visible.has(id) && visible.get(id) !== accountId) await core.setContactAccount(caller, id, accountId);
  if (replace) {
    for (const [id, acc] of visible) if (acc === accountId && !contacts.includes(id)) await core.setContactAccount(caller, id, null);
  }
}

/** `POST /`: a new account in the org's default company. */
export const createAccount = ({ core, opts }: AccountContext) => async (req: Request, res: Response) => {
  const caller = req.user!;
  const body = await readBody(req, opts.attachmentMaxBytes);
  try {
    const { input, contacts } = await prepare(core, caller, body.fields, 'create');
    const companyId = await core.defaultCompanyId(caller.orgId);
    if (companyId === undefined) throw invalid({ non_field_errors: ['This organization has no company to hold accounts.'] });
    const created = await core.createAccount(caller, { ...input, company_id: companyId });
    const id = created.id as number;
    await linkContacts(core, caller, id, contacts, false);
    if (body.file) await core.uploadAttachment(caller, id, receiveSpooled(body.file));
    res.json({ error: false, message: 'Account Created Successfully', id: encodeId('account', id) });
  } finally {
    await removeSpooled(body);
  }
};

/** `PUT /:id` or `PATCH /:id`. */
export const updateAccount = ({ core, opts }: AccountContext, mode: 'put' | 'patch') => async (req: Request, res: Response) => {
  const caller = req.user!;
  const id = pathId('account', req.params.id);
  const body = await readBody(req, opts.attachmentMaxBytes);
  try {
    await liveAccount(core, caller, id);
    const { input, contacts } = await prepare(core, caller, body.fields, mode);
    try {
      await core.updateAccount(caller, id, input);
      await linkContacts(core, caller, id, contacts, true);
    } catch (e) {
      throw writeError(e, 'You do not have Permission to perform this action');
    }
    res.json({ error: false, message: 'Account Updated Successfully' });
  } finally {
    await removeSpooled(body);
  }
};

/** `DELETE /:id`. */
export const deleteAccount = ({ core }: AccountContext) => async (req: Request, res: Response) => {
  const caller = req.user!;
  const id = pathId('account', req.params.id);
  await liveAccount(core, caller, id);
  try {
    await core.removeAccount(caller, id);
  } catch (e) {
    throw writeError(e, 'You do not have Permission to perform this action');
  }
  res.json({ error: false, message: 'Account Deleted Successfully.' });
};
