import supertest from 'supertest';
import { makeTestApp, TestApp } from '../support/test-app';
import { bearer, createAccount, encodeId, login, Session } from './support';

let t: TestApp;
let s: Session;
let account: string;
let contactId: number;

beforeAll(async () => {
  t = await makeTestApp();
  s = await login(t);
  account = await createAccount(t, s, { name: 'Collab Ltd' });
  const n = parseInt(account.slice(-12), 16);
  const c = await t.as().post('/api/v2/crm/contacts').send({ company_id: 1, account_id: n, first_name: 'Cleo', last_name: 'Client', email: 'contact@client.com' });
  contactId = c.body.id;
});
afterAll(async () => t.close());

describe('POST /api/accounts/<id>/ (comment and/or file)', () => {
  it('when a comment is posted as JSON, then the account, its attachments and comments come back with the new comment first', async () => {
    const res = await bearer(t, s).post(`/api/accounts/${account}/`).send({ comment: 'Follow-up meeting scheduled for next week' });
    expect(res.status).toBe(200);
    expect(res.body.account_obj.id).toBe(account);
    expect(res.body.comments[0]).toMatchObject({ comment: 'Follow-up meeting scheduled for next week', object_id: account, commented_by: { id: encodeId('profile', 1) } });
  });

  it('when a comment and a file come as multipart with the seed\'s field name, then both are stored', async () => {
    const res = await bearer(t, s).post(`/api/accounts/${account}/`).field('comment', 'Contract document attached').attach('attachment', Buffer.from('%PDF-1.4'), 'contract.pdf');
    expect(res.status).toBe(200);
    expect(res.body.comments[0].comment).toBe('Contract document attached');
    expect(res.body.attachments.map((a: { file_name: string }) => a.file_name)).toContain('contract.pdf');
  });

  it('when the comment is longer than 255 characters, then it answers 400 naming comment', async () => {
    const res = await bearer(t, s).post(`/api/accounts/${account}/`).send({ comment: 'x'.repeat(256) });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: true, errors: { comment: ['Ensure this field has no more than 255 characters.'] } });
  });

  it('when the file is larger than the limit, then it answers 400 in Django-CRM\'s words and stores nothing', async () => {
    const small = await makeTestApp({ attachmentMaxBytes: 1024 });
    try {
      const ss = await login(small);
      const id = await createAccount(small, ss, { name: 'Small' });
      const res = await bearer(small, ss).post(`/api/accounts/${id}/`).attach('account_attachment', Buffer.alloc(4096, 1), 'big.bin');
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: true, errors: { attachment: ['Files must be 25 MB or smaller.'] } });
      expect((await bearer(small, ss).get(`/api/accounts/${id}/`)).body.attachments).toEqual([]);
    } finally {
      await small.close();
    }
  });

  it('when nothing is sent, then it is a no-op 200', async () => {
    expect((await bearer(t, s).post(`/api/accounts/${account}/`).send({})).status).toBe(200);
  });

  it('when the account is unknown, then it answers 404', async () => {
    expect((await bearer(t, s).post(`/api/accounts/${encodeId('account', 4242)}/`).send({ comment: 'x' })).status).toBe(404);
  });
});

describe('/api/accounts/comment/<id>/', () => {
  async function newComment(session: Session, text: string): Promise<string> {
    const res = await bearer(t, session).post(`/api/accounts/${account}/`).send({ comment: text });
    return res.body.comments[0].id;
  }

  it('when the author edits with PUT and PATCH, then Django-CRM\'s messages come back and the text changes', async () => {
    const id = await newComment(s, 'first');
    expect((await bearer(t, s).put(`/api/accounts/comment/${id}/`).send({ comment: 'second' })).body).toEqual({ error: false, message: 'Comment Submitted' });
    expect((await bearer(t, s).patch(`/api/accounts/comment/${id}/`).send({ comment: 'third' })).body).toEqual({ error: false, message: 'Comment Updated' });
    const detail = await bearer(t, s).get(`/api/accounts/${account}/`);
    expect(detail.body.comments.find((c: { id: string }) => c.id === id).comment).toBe('third');
  });

  it('when the edit is blank, then it answers 400 naming comment', async () => {
    const id = await newComment(s, 'to blank');
    const res = await bearer(t, s).put(`/api/accounts/comment/${id}/`).send({ comment: '  ' });
    expect(res.status).toBe(400);
    expect(res.body.errors.comment).toEqual(['This field may not be blank.']);
  });

  it('when someone else who sees the account edits or deletes it, then 403 in the permission envelope', async () => {
    const id = await newComment(s, 'admin wrote');
    const user = await t.addUser();
    const acc = await createAccount(t, s, { name: 'Shared', assigned_to: [encodeId('profile', user.id)] });
    const cid = (await bearer(t, s).post(`/api/accounts/${acc}/`).send({ comment: 'on shared' })).body.comments[0].id;
    const u = await login(t, user);
    const res = await bearer(t, u).put(`/api/accounts/comment/${cid}/`).send({ comment: 'mine now' });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ error: true, errors: "You don't have permission to edit this comment" });
    expect((await bearer(t, u).delete(`/api/accounts/comment/${cid}/`)).status).toBe(403);
    expect((await bearer(t, u).delete(`/api/accounts/comment/${id}/`)).status).toBe(404);
  });

  it('when the author deletes it, then 200 with the message and it is gone', async () => {
    const id = await newComment(s, 'delete me');
    expect((await bearer(t, s).delete(`/api/accounts/comment/${id}/`)).body).toEqual({ error: false, message: 'Comment Deleted Successfully' });
    expect((await bearer(t, s).delete(`/api/accounts/comment/${id}/`)).status).toBe(404);
  });
});

describe('attachments', () => {
  it('when an attachment is downloaded and then deleted, then the bytes come back and the delete answers Django-CRM\'s message', async () => {
    const res = await bearer(t, s).post(`/api/accounts/${account}/`).attach('account_attachment', Buffer.from('file body'), 'notes.txt');
    const att = res.body.attachments.find((a: { file_name: string }) => a.file_name === 'notes.txt');
    const dl = await bearer(t, s).get(att.file_path).buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(dl.status).toBe(200);
    expect((dl.body as Buffer).toString()).toBe('file body');
    expect((await bearer(t, s).delete(`/api/accounts/attachment/${att.id}/`)).body).toEqual({ error: false, message: 'Attachment Deleted Successfully' });
    expect((await bearer(t, s).delete(`/api/accounts/attachment/${att.id}/`)).status).toBe(404);
  });

  it('when another organisation\'s user asks for the attachment, then it answers 404', async () => {
    const res = await bearer(t, s).post(`/api/accounts/${account}/`).attach('account_attachment', Buffer.from('secret'), 'secret.txt');
    const att = res.body.attachments.find((a: { file_name: string }) => a.file_name === 'secret.txt');
    const other = await t.addOrg();
    const o = await login(t, other.admin);
    expect((await bearer(t, o).get(att.file_path)).status).toBe(404);
    expect((await bearer(t, o).delete(`/api/accounts/attachment/${att.id}/`)).status).toBe(404);
  });
});

describe('POST /api/accounts/<id>/create_mail/', () => {
  it('when Django-CRM\'s fields are sent, then the e-mail is queued in the outbox and shown on the account', async () => {
    const res = await bearer(t, s).post(`/api/accounts/${account}/create_mail/`).send({
      from_email: t.admin.email,
      message_subject: 'Quarterly Business Review',
      message_body: '<p>Dear valued client...</p>',
      recipients: [encodeId('contact', contactId)],
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ error: false, message: 'Email sent successfully', id: expect.stringMatching(/^00000009-/) });
    const outbox = await t.as().get(`/api/v2/crm/accounts/${parseInt(account.slice(-12), 16)}/emails`);
    expect(outbox.body[0]).toMatchObject({ subject: 'Quarterly Business Review', recipients: ['contact@client.com'], status: 'queued' });
    const detail = await bearer(t, s).get(`/api/accounts/${account}/`);
    expect(detail.body.emails[0]).toMatchObject({ message_subject: 'Quarterly Business Review', from_email: t.admin.email });
  });

  it('when the seed\'s vocabulary is sent (subject, html, from_account, e-mail recipients), then it is accepted', async () => {
    const res = await bearer(t, s).post(`/api/accounts/${account}/create_mail/`).send({
      recipients: ['contact@client.com'],
      subject: 'Seed mail',
      html: '<p>Hi</p>',
      scheduled_later: false,
      scheduled_date_time: null,
      from_account: t.admin.email,
    });
    expect(res.status).toBe(200);
    expect(res.body.message).toBe('Email sent successfully');
  });

  it('when scheduled later without a time, then it answers 400 naming scheduled_date_time', async () => {
    const res = await bearer(t, s).post(`/api/accounts/${account}/create_mail/`).send({ from_email: t.admin.email, message_subject: 'x', message_body: 'y', recipients: [encodeId('contact', contactId)], scheduled_later: 'true' });
    expect(res.status).toBe(400);
    expect(Object.keys(res.body.errors)).toEqual(['scheduled_date_time']);
  });

  it('when scheduled later with a time, then it answers the scheduled message', async () => {
    const when = new Date(Date.now() + 86400_000).toISOString().slice(0, 19);
    const res = await bearer(t, s).post(`/api/accounts/${account}/create_mail/`).send({ from_email: t.admin.email, message_subject: 'x', message_body: 'y', recipients: [encodeId('contact', contactId)], scheduled_later: true, scheduled_date_time: when });
    expect(res.status).toBe(200);
    expect(res.body.message).toBe('Email scheduled successfully');
  });

  it('when a recipient is not a contact of the organisation, then 400 names recipients and nothing is stored', async () => {
    const before = (await t.as().get(`/api/v2/crm/accounts/${parseInt(account.slice(-12), 16)}/emails`)).body.length;
    const res = await bearer(t, s).post(`/api/accounts/${account}/create_mail/`).send({ from_email: t.admin.email, message_subject: 'x', message_body: 'y', recipients: [encodeId('contact', 777)] });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: true, errors: { recipients: ['Please enter valid recipients.'] } });
    expect((await t.as().get(`/api/v2/crm/accounts/${parseInt(account.slice(-12), 16)}/emails`)).body.length).toBe(before);
  });

  it('when the account is unknown, then 404 in Django-CRM\'s mail envelope', async () => {
    const res = await bearer(t, s).post(`/api/accounts/${encodeId('account', 4242)}/create_mail/`).send({ from_email: t.admin.email });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: true, errors: 'Account not found' });
  });

  it('when the body braces do not balance, then 400 names message_body', async () => {
    const res = await supertest(t.app).post(`/api/accounts/${account}/create_mail/`).set('Authorization', `Bearer ${s.access}`).send({ from_email: t.admin.email, message_subject: 'x', message_body: 'Hi {name', recipients: [encodeId('contact', contactId)] });
    expect(res.status).toBe(400);
    expect(Object.keys(res.body.errors)).toEqual(['message_body']);
  });
});
