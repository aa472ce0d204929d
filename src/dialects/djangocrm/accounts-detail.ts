/**
 * `GET /api/accounts/<id>/`: one live account with its comments, attachments, emails and the lists the
 * client's detail page needs.
 */
import { Request, Response } from 'express';
import { COUNTRIES } from './fields';
import { AccountContext, commentsAndAttachments, liveAccount, lookups, pathId } from './accounts-shared';
import * as wire from './serialize';

/** `GET /:id`: the detail. */
export const accountDetail = ({ core }: AccountContext) => async (req: Request, res: Response) => {
  const caller = req.user!;
  const a = await liveAccount(core, caller, pathId('account', req.params.id));
  const id = a.id as number;
  const l = await lookups(core, caller, [a]);
  const [{ comments, attachments }, users, teams, emails, defs] = await Promise.all([
    commentsAndAttachments(core, caller, id, l),
    core.users(caller.orgId),
    core.teams(caller.orgId),
    core.listEmails(caller, id),
    core.customFieldDefinitions(caller.orgId),
  ]);
  const account = wire.account(a, l);
  res.json({
    account_obj: account,
    attachments,
    comments,
    contacts: account.contacts,
    opportunity_list: [],
    users: users.map(wire.profile),
    cases: [],
    teams: teams.map((t) => wire.team(t)),
    stages: [],
    sources: [],
    countries: COUNTRIES,
    currencies: [],
    case_types: [],
    case_priority: [],
    case_status: [],
    comment_permission: caller.role === 'admin' || l.creators.get(id) === caller.id,
    tasks: [],
    invoices: [],
    emails: emails.map((e) => wire.email(e)),
    users_mention: users.map((u) => ({ user__email: u.email })),
    leads: [],
    status: ['open', 'close'],
    custom_field_definitions: defs.map((d) => ({ key: d.key, label: d.label, type: d.type, choices: d.choices ?? null })),
  });
};
