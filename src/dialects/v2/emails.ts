import { Router } from 'express';
import { requireJsonOrForm } from '../../http/body';
import { wireDateTime } from '../../http/wire';
import { sendList } from '../../http/stream-json';
import { validateBody } from '../../openapi/validator';
import { parseListQuery } from '../../query/parse';
import { EMAIL_FIELDS, emailCatalogue } from '../../domain/emails/fields';
import { EmailInput, EmailRow, EmailService } from '../../domain/emails/service';
import { accountIdOf, recordIdOf } from './params';
import { mapList, serializeRecord } from './serialize';

const NO_SMTP = 'SMTP is not configured on this server (set SMTP_HOST); the e-mail stays queued until it is';

/** An outbox row in the v2 shape: the next attempt only while it waits, and a notice when nothing will send it. */
function serializer(smtpConfigured: boolean) {
  return (r: EmailRow) => {
    const waiting = r.status === 'queued' || r.status === 'scheduled';
    return serializeRecord(EMAIL_FIELDS, r, {
      next_attempt_at: waiting ? wireDateTime(r.next_attempt_at) : null,
      notice: waiting && !smtpConfigured ? NO_SMTP : null,
    });
  };
}

/** `/api/v2/crm/accounts/:id/emails` (list with status, send or schedule) and `/api/v2/crm/emails/:id`. */
export function emailRoutes(service: EmailService, maxLimit: number): { account: Router; single: Router } {
  const serialize = serializer(service.mail.smtpConfigured);
  const account = Router({ mergeParams: true });
  account.get('/', async (req, res) => {
    const q = parseListQuery(req.query as Record<string, unknown>, { catalogue: emailCatalogue, customFields: new Map(), maxLimit });
    await sendList(res, mapList(await service.list(req.user!, accountIdOf(req.params), q), serialize));
  });
  account.post('/', requireJsonOrForm, async (req, res) => {
    const input = validateBody('AccountEmailCreate', req.body, req.bodyFormat!) as unknown as EmailInput;
    // A form (PHP http_build_query) sends every value as text: there, a number is a contact id.
    if (req.bodyFormat === 'form') input.recipients = input.recipients.map((r) => (typeof r === 'string' && /^\d{1,9}$/.test(r) ? Number(r) : r));
    res.status(201).json(serialize(await service.create(req.user!, accountIdOf(req.params), input)));
  });
  const single = Router();
  single.get('/:id', async (req, res) => {
    res.json(serialize(await service.get(req.user!, recordIdOf(req.params))));
  });
  return { account, single };
}
