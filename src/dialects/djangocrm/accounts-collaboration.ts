/**
 * Collaboration on an account: editing and deleting comments, deleting attachments, `POST /<id>` (a
 * comment and/or a file), `POST /<id>/create_mail`, and `attachmentRoutes` (`/api/attachments/...`).
 */
import { Request, Response, Router } from 'express';
import { DomainError } from '../../core/errors';
import { Core } from './core';
import { DjangoError, invalid, toDjangoError } from './errors';
import { decodeId, encodeId, uuidHex } from './ids';
import { Errors, parseBool, relationItems } from './input';
import { receiveSpooled } from './multipart';
import { AccountContext, commentsAndAttachments, liveAccount, lookups, pathId, readBody, removeSpooled, writeError } from './accounts-shared';
import * as wire from './serialize';

const COMMENT_MAX = 255;

function commentText(fields: Record<string, unknown>, errors: Errors): string | undefined {
  const raw = fields.comment;
  const v = Array.isArray(raw) ? raw[raw.length - 1] : raw;
  if (v === undefined || v === null || (typeof v === 'string' && v.trim() === '')) errors.comment = [v === undefined ? 'This field is required.' : 'This field may not be blank.'];
  else if (typeof v !== 'string') errors.comment = ['Not a valid string.'];
  else if (v.length > COMMENT_MAX) errors.comment = [`Ensure this field has no more than ${COMMENT_MAX} characters.`];
  else if (v.includes('\u0000')) errors.comment = ['Null characters are not allowed.'];
  else return v;
  return undefined;
}

// ---- comments and attachments by their own ids ----

/** `PUT /comment/:id` or `PATCH /comment/:id`, answering with `message`. */
export const editComment = ({ core, opts }: AccountContext, message: string) => async (req: Request, res: Response) => {
  const caller = req.user!;
  const id = pathId('comment', req.params.id);
  const body = await readBody(req, opts.attachmentMaxBytes);
  await removeSpooled(body);
  const errors: Errors = {};
  const text = commentText(body.fields, errors);
  if (text === undefined) throw invalid(errors);
  try {
    await core.editComment(caller, id, text);
  } catch (e) {
    throw writeError(e, "You don't have permission to edit this comment");
  }
  res.json({ error: false, message });
};

/** `DELETE /comment/:id`. */
export const deleteComment = ({ core }: AccountContext) => async (req: Request, res: Response) => {
  const id = pathId('comment', req.params.id);
  try {
    await core.removeComment(req.user!, id);
  } catch (e) {
    throw writeError(e, "You don't have permission to delete this comment");
  }
  res.json({ error: false, message: 'Comment Deleted Successfully' });
};

/** `DELETE /attachment/:id`. */
export const deleteAttachment = ({ core }: AccountContext) => async (req: Request, res: Response) => {
  const id = pathId('attachment', req.params.id);
  try {
    await core.removeAttachment(req.user!, id);
  } catch (e) {
    throw writeError(e, "You don't have permission to delete this attachment");
  }
  res.json({ error: false, message: 'Attachment Deleted Successfully' });
};

// ---- comment and/or file on an account ----

/** `POST /:id`: adds a comment and/or a file, and answers with the account, its attachments and comments. */
export const commentOrFile = ({ core, opts }: AccountContext) => async (req: Request, res: Response) => {
  const caller = req.user!;
  const id = pathId('account', req.params.id);
  const body = await readBody(req, opts.attachmentMaxBytes);
  try {
    await liveAccount(core, caller, id);
    const raw = body.fields.comment;
    if (raw !== undefined && raw !== '') {
      const errors: Errors = {};
      const text = commentText(body.fields, errors);
      if (text === undefined) throw invalid(errors);
      await core.addComment(caller, id, text);
    }
    if (body.file) await core.uploadAttachment(caller, id, receiveSpooled(body.file));
    const a = await liveAccount(core, caller, id);
    const l = await lookups(core, caller, [a]);
    const { comments, attachments } = await commentsAndAttachments(core, caller, id, l);
    res.json({ account_obj: wire.account(a, l), attachments, comments });
  } finally {
    await removeSpooled(body);
  }
};

// ---- mail ----

/** `POST /:id/create_mail`: sends or schedules an email to contacts or addresses. */
export const createMail = ({ core, opts }: AccountContext) => async (req: Request, res: Response) => {
  const caller = req.user!;
  const id = decodeId('account', req.params.id);
  const body = await readBody(req, opts.attachmentMaxBytes);
  await removeSpooled(body);
  const f = body.fields as Record<string, unknown>;
  const one = (k: string) => {
    const v = f[k];
    return Array.isArray(v) ? v[v.length - 1] : v;
  };
  const missing = () => new DjangoError(404, { error: true, errors: 'Account not found' });
  if (!id) throw missing();
  try {
    await liveAccount(core, caller, id);
  } catch (e) {
    if (toDjangoError(e)?.status === 404) throw missing();
    throw e;
  }
  const errors: Errors = {};
  const from = one('from_email') ?? one('from_account');
  if (from === undefined || from === null || from === '') errors.from_email = ['This field is required.'];
  else if (typeof from !== 'string' || !/^[^\s@]+@[^\s@]+$/.test(from)) errors.from_email = ['Enter a valid email address.'];
  const subject = one('message_subject') ?? one('subject');
  const html = one('message_body') ?? one('html');
  if (typeof subject !== 'string' || subject.trim() === '') errors.message_subject = ['This field is required.'];
  if (typeof html !== 'string' || html.trim() === '') errors.message_body = ['This field is required.'];
  else if (!bracesBalance(html)) errors.message_body = ['Braces do not match.'];
  const later = f.scheduled_later === undefined || f.scheduled_later === null ? false : parseBool(one('scheduled_later'));
  if (later === undefined) errors.scheduled_later = ['Must be a valid boolean.'];
  const when = one('scheduled_date_time');
  if (later && (when === undefined || when === null || when === '')) errors.scheduled_date_time = ['This field is required when scheduled_later is true.'];
  // Recipients: contact ids (HEAD) or, as the seed writes them, addresses of org contacts.
  const items = relationItems(f.recipients ?? []);
  const recipients: (number | string)[] = [];
  if (items === 'invalid' || items.length === 0) errors.recipients = ['Please enter valid recipients.'];
  else {
    for (const item of items) {
      const s = String(item).trim();
      if (uuidHex(s) !== undefined) {
        const cid = decodeId('contact', s);
        if (!cid) errors.recipients = ['Please enter valid recipients.'];
        else recipients.push(cid);
      } else if (/^[^\s@]+@[^\s@]+$/.test(s)) recipients.push(s);
      else errors.recipients = ['Please enter valid recipients.'];
    }
  }
  if (Object.keys(errors).length) throw invalid(errors);
  let when2: string | null = null;
  if (later) when2 = String(when).replace(' ', 'T');
  try {
    const sent = await core.createEmail(caller, id, {
      recipients,
      subject: String(subject).trim(),
      html: String(html),
      from_account: String(from),
      scheduled_later: later === true,
      scheduled_date_time: when2,
    });
    res.json({ error: false, message: later ? 'Email scheduled successfully' : 'Email sent successfully', id: encodeId('email', sent.id) });
  } catch (e) {
    if (e instanceof DomainError && e.kind === 'invalid' && e.details) {
      const out: Errors = {};
      for (const d of e.details) {
        const k = d.field.startsWith('recipients') ? 'recipients' : d.field === 'from_account' || d.field === 'from' ? 'from_email' : d.field === 'subject' ? 'message_subject' : d.field === 'html' ? 'message_body' : d.field;
        (out[k] ??= []).push(k === 'recipients' ? 'Please enter valid recipients.' : d.message);
      }
      for (const k of Object.keys(out)) out[k] = [...new Set(out[k])];
      throw invalid(out);
    }
    throw e;
  }
};

function bracesBalance(s: string): boolean {
  let depth = 0;
  for (const c of s) {
    if (c === '{') depth++;
    else if (c === '}' && --depth < 0) return false;
  }
  return depth === 0;
}

/** `GET /api/attachments/<id>/download/`: the file, for whoever may see its account. */
export function attachmentRoutes(core: Core): Router {
  const r = Router();
  r.get('/:id/download', async (req, res) => {
    const { row, stream } = await core.openAttachment(req.user!, pathId('attachment', req.params.id));
    res.setHeader('Content-Type', String(row.content_type));
    res.setHeader('Content-Length', String(row.size));
    res.setHeader('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(String(row.file_name))}`);
    stream.pipe(res);
  });
  return r;
}
