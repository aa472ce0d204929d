/**
 * What every part of `/api/accounts/...` (accounts.ts) uses: the routes' options and context, path ids,
 * bodies, write errors, the serializers' lookups and the live-account check.
 */
import fs from 'node:fs';
import { Request } from 'express';
import { DomainError } from '../../core/errors';
import { Caller, Core } from './core';
import { DjangoError, forbidden, invalid, notFound } from './errors';
import { decodeId, IdType } from './ids';
import { MultipartBody, readMultipart } from './multipart';
import * as wire from './serialize';

/** Options of accountRoutes (accounts.ts). */
export interface AccountRoutesOptions {
  attachmentMaxBytes: number;
}

/** What a handler of the account routes works with. */
export interface AccountContext {
  core: Core;
  opts: AccountRoutesOptions;
}

export function pathId(type: IdType, raw: unknown): number {
  const id = decodeId(type, raw);
  if (!id) throw notFound();
  return id;
}

/** The body as an object: JSON, form, or a multipart body's fields (with its file). */
export async function readBody(req: Request, maxBytes: number): Promise<MultipartBody> {
  if (req.is('multipart/form-data')) return readMultipart(req, maxBytes);
  if (req.bodyFormat === undefined && req.headers['content-type'] !== undefined && Number(req.headers['content-length'] ?? 1) !== 0) {
    throw new DjangoError(415, { detail: `Unsupported media type "${String(req.headers['content-type']).slice(0, 100)}" in request.` });
  }
  const body = req.body ?? {};
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw invalid({ non_field_errors: [`Invalid data. Expected a dictionary, but got ${Array.isArray(body) ? 'list' : typeof body}.`] });
  }
  return { fields: body as Record<string, string | string[]> };
}

export async function removeSpooled(b: MultipartBody) {
  if (b.file) await fs.promises.rm(b.file.path, { force: true });
}

/** Core errors of a write, in the create/update envelope (403 with Django-CRM's own text). */
export function writeError(e: unknown, forbiddenText: string): unknown {
  if (e instanceof DomainError && e.kind === 'forbidden') return forbidden(forbiddenText);
  return e;
}

/** Everything the serializers look up, for these accounts. */
export async function lookups(core: Core, caller: Caller, accounts: Record<string, unknown>[]): Promise<wire.Lookups> {
  const ids = accounts.map((a) => a.id as number);
  const [org, creators, teams, tags, contacts] = await Promise.all([
    core.org(caller.orgId),
    core.accountCreators(caller.orgId, ids),
    core.teams(caller.orgId),
    core.tags(caller.orgId),
    core.contactsOfAccounts(caller, ids),
  ]);
  const userIds = [...accounts.flatMap((a) => (a.assigned_to as number[] | undefined) ?? []), ...[...creators.values()].filter((x): x is number => x !== null)];
  const users = new Map([...(await core.usersById(userIds))].filter(([, u]) => u.orgId === caller.orgId));
  return {
    org: org!,
    users,
    teams: new Map(teams.map((t) => [t.id, t])),
    tagIdByName: new Map(tags.map((t) => [t.name, t.id])),
    creators,
    contacts,
  };
}

/** A live (not soft-deleted) account the caller may see, in its v2 shape; 404 otherwise. */
export async function liveAccount(core: Core, caller: Caller, id: number): Promise<Record<string, unknown>> {
  const a = await core.getAccount(caller, id);
  if (a.is_deleted === true) throw notFound();
  return a;
}

/** An account's comments and attachments in their wire shapes (used by the detail and by POST /:id); their authors join the lookups. */
export async function commentsAndAttachments(core: Core, caller: Caller, id: number, l: wire.Lookups) {
  const [comments, attachments] = await Promise.all([core.listComments(caller, id), core.listAttachments(caller, id)]);
  const authorIds = [...comments.map((c) => c.commented_by as number), ...attachments.map((a) => a.uploaded_by as number)].filter((u) => !l.users.has(u));
  for (const [uid, u] of await core.usersById(authorIds)) if (u.orgId === caller.orgId) l.users.set(uid, u);
  return {
    comments: comments.reverse().map((c) => wire.comment(c, l)),
    attachments: attachments.map((a) => wire.attachment(a, l)),
  };
}
