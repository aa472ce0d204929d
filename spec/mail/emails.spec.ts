import pino from 'pino';
import { makeTestApp, TestApp } from '../support/test-app';
import { MailWorker } from '../../src/mail/worker';
import { smtpTransport } from '../../src/mail/transport';
import { startSmtp } from './smtp';

jest.setTimeout(60000);

let t: TestApp;
let smtp: Awaited<ReturnType<typeof startSmtp>>;
beforeAll(async () => {
  t = await makeTestApp({ smtpConfigured: true });
  smtp = await startSmtp();
});
afterAll(async () => {
  await smtp.close();
  await t.close();
});

const silent = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const workerOn = (port: number, opts: Partial<ConstructorParameters<typeof MailWorker>[3]> = {}) =>
  new MailWorker(t.knex, smtpTransport({ host: '127.0.0.1', port, secure: false }), silent, { retryBaseMs: 200, batch: 5, ...opts });
/** A port with nothing listening: an SMTP server that is down. */
async function deadPort(): Promise<number> {
  const s = await startSmtp();
  await s.close();
  return s.port;
}

describe('account e-mail', () => {
  let account: number;
  let contact: number;
  const url = () => `/api/v2/crm/accounts/${account}/emails`;
  beforeAll(async () => {
    account = (await t.as().post('/api/v2/crm/accounts').send({ company_id: 1, name: 'Mailed' })).body.id;
    contact = (await t.as().post('/api/v2/crm/contacts').send({ company_id: 1, account_id: account, last_name: 'Client', email: 'contact@client.com' })).body.id;
    await t.as().post('/api/v2/crm/contacts').send({ company_id: 1, account_id: account, last_name: 'Manager', email: 'manager@client.com' });
  });
  const send = (body: Record<string, unknown>) => t.as().post(url()).send({ subject: 'Quarterly Business Review', html: '<p>Dear valued client...</p>', recipients: [contact], ...body });

  it('when an e-mail is sent now, then the worker delivers it over SMTP with subject, recipients and body', async () => {
    const res = await send({ recipients: [contact, 'Manager@Client.com'], scheduled_later: false, scheduled_date_time: null, from_account: 'crm@example.com' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'queued', recipients: ['contact@client.com', 'Manager@Client.com'], recipient_contact_ids: [contact], attempts: 0, notice: null });
    const before = smtp.messages.length;
    expect(await workerOn(smtp.port).runOnce()).toEqual({ sent: 1, retried: 0, failed: 0 });
    const got = smtp.messages.slice(before);
    expect(got).toHaveLength(1);
    expect(got[0].from).toBe('crm@example.com');
    expect(got[0].to.map((a) => a.toLowerCase()).sort()).toEqual(['contact@client.com', 'manager@client.com']);
    expect(got[0].raw).toMatch(/Subject: Quarterly Business Review/);
    expect(got[0].raw).toContain('<p>Dear valued client...</p>');
    const status = await t.as().get(`/api/v2/crm/emails/${res.body.id}`);
    expect(status.body).toMatchObject({ status: 'sent', attempts: 1, last_error: null, next_attempt_at: null });
    expect(status.body.sent_at).toMatch(/^\d{4}-/);
    expect((await t.as().get(`${url()}?status=sent`)).body.map((e: { id: number }) => e.id)).toContain(res.body.id);
    // A PHP form post: the contact id arrives as text.
    const form = await t.as().post(url()).type('form').send(`recipients[]=${contact}&recipients[]=manager@client.com&subject=From+PHP&html=%3Cp%3Ehi%3C%2Fp%3E`);
    expect(form.status).toBe(201);
    expect(form.body).toMatchObject({ recipients: ['contact@client.com', 'manager@client.com'], recipient_contact_ids: [contact] });
    expect((await workerOn(smtp.port).runOnce()).sent).toBe(1);
  });

  it('when an e-mail is scheduled, then it is not sent before its time and is sent after', async () => {
    const at = new Date(Date.now() + 1500).toISOString();
    const res = await send({ subject: 'Later', scheduled_later: true, scheduled_date_time: at });
    expect(res.body).toMatchObject({ status: 'scheduled', scheduled_later: true, scheduled_date_time: at.slice(0, 19) });
    const w = workerOn(smtp.port);
    expect((await w.runOnce()).sent).toBe(0);
    expect((await t.as().get(`/api/v2/crm/emails/${res.body.id}`)).body.status).toBe('scheduled');
    await sleep(1600);
    expect((await w.runOnce()).sent).toBe(1);
    expect((await t.as().get(`/api/v2/crm/emails/${res.body.id}`)).body.status).toBe('sent');
    expect(smtp.messages.filter((m) => /Subject: Later/.test(m.raw))).toHaveLength(1);
  });

  it('when the SMTP server is down, then the mail is retried later with the error shown, and fails after the last attempt', async () => {
    const res = await send({ subject: 'Retry me' });
    const down = workerOn(await deadPort());
    expect(await down.runOnce()).toEqual({ sent: 0, retried: 1, failed: 0 });
    const queued = (await t.as().get(`/api/v2/crm/emails/${res.body.id}`)).body;
    expect(queued).toMatchObject({ status: 'queued', attempts: 1 });
    expect(queued.last_error).toMatch(/ECONNREFUSED|connect/i);
    // Not before the backoff has passed, even with the server back.
    const up = workerOn(smtp.port);
    expect((await up.runOnce()).sent).toBe(0);
    await sleep(250);
    expect((await up.runOnce()).sent).toBe(1);
    expect((await t.as().get(`/api/v2/crm/emails/${res.body.id}`)).body).toMatchObject({ status: 'sent', attempts: 2, last_error: null });

    const doomed = await send({ subject: 'Doomed' });
    expect(await workerOn(await deadPort(), { maxAttempts: 1 }).runOnce()).toEqual({ sent: 0, retried: 0, failed: 1 });
    expect((await t.as().get(`/api/v2/crm/emails/${doomed.body.id}`)).body).toMatchObject({ status: 'failed', attempts: 1 });
  });

  it('when two workers run at once, then each e-mail is sent exactly once', async () => {
    const subjects = Array.from({ length: 12 }, (_, i) => `Once ${i}`);
    for (const subject of subjects) expect((await send({ subject })).status).toBe(201);
    const [a, b] = [workerOn(smtp.port, { batch: 2 }), workerOn(smtp.port, { batch: 2 })];
    const drain = async (w: MailWorker) => {
      let total = 0;
      for (;;) {
        const r = await w.runOnce();
        total += r.sent;
        if (r.sent + r.retried + r.failed === 0) return total;
      }
    };
    const [sa, sb] = await Promise.all([drain(a), drain(b)]);
    expect(sa + sb).toBe(12);
    for (const s of subjects) expect(smtp.messages.filter((m) => m.raw.includes(`Subject: ${s}\r\n`))).toHaveLength(1);
  });

  it('when recipients, schedule or sender are wrong, then 400 names each and nothing is stored', async () => {
    const other = await t.addOrg();
    const theirContact = (await t.as(other.admin).post('/api/v2/crm/contacts').send({ company_id: other.companyId, last_name: 'X', email: 'x@other.com' })).body.id;
    const count = async () => (await t.as().get(url())).body.length;
    const before = await count();
    const cases: [Record<string, unknown>, string][] = [
      [{ scheduled_later: true }, 'scheduled_date_time'],
      [{ scheduled_later: true, scheduled_date_time: null }, 'scheduled_date_time'],
      [{ scheduled_later: true, scheduled_date_time: '2020-01-01T09:00:00' }, 'scheduled_date_time'],
      [{ scheduled_later: true, scheduled_date_time: 'next tuesday' }, 'scheduled_date_time'],
      [{ scheduled_date_time: '2099-01-01T09:00:00' }, 'scheduled_date_time'],
      [{ recipients: ['stranger@nowhere.example'] }, 'recipients[0]'],
      [{ recipients: [contact, theirContact] }, 'recipients[1]'],
      [{ recipients: ['x@other.com'] }, 'recipients[0]'],
      [{ recipients: [] }, 'recipients'],
      [{ recipients: ['not-an-address'] }, 'recipients[0]'],
      [{ recipients: [0] }, 'recipients[0]'],
      [{ from_account: 'ceo@bigbank.com' }, 'from_account'],
      [{ subject: '  ' }, 'subject'],
      [{ html: undefined }, 'html'],
    ];
    for (const [body, field] of cases) {
      const res = await send(body);
      expect(res.status).toBe(400);
      expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
    }
    expect(await count()).toBe(before);
    expect((await t.as(other.admin).post(url()).send({ subject: 's', html: 'h', recipients: ['x@other.com'] })).status).toBe(404);
  });
});

describe('account e-mail without SMTP', () => {
  it('when no SMTP server is configured, then the e-mail is stored, stays queued, and the answer says why', async () => {
    const plain = await makeTestApp();
    try {
      const account = (await plain.as().post('/api/v2/crm/accounts').send({ company_id: 1, name: 'No SMTP', email: 'billing@nosmtp.example' })).body.id;
      const res = await plain.as().post(`/api/v2/crm/accounts/${account}/emails`).send({ recipients: ['billing@nosmtp.example'], subject: 'Hi', html: '<p>x</p>' });
      expect(res.status).toBe(201);
      expect(res.body.status).toBe('queued');
      expect(res.body.notice).toMatch(/SMTP is not configured/);
    } finally {
      await plain.close();
    }
  });
});
