import { makeTestApp, TestApp } from '../support/test-app';
import { bearer, createAccount, encodeId, login, Session } from './support';

let t: TestApp;
let s: Session;
beforeAll(async () => {
  t = await makeTestApp();
  s = await login(t);
});
afterAll(async () => t.close());

const SEED_CREATE = {
  name: 'New Company Inc',
  email: 'info@newcompany.com',
  phone: '+1555123456',
  industry: 'Manufacturing',
  description: 'Leading manufacturer of widgets',
  website: 'https://newcompany.com',
  billing_address_line: '456 Industrial Blvd',
  billing_street: 'Suite 100',
  billing_city: 'Chicago',
  billing_state: 'IL',
  billing_postcode: '60601',
  billing_country: 'USA',
  tags: ['manufacturing', 'enterprise'],
};

describe('POST /api/accounts/', () => {
  it('when the seed\'s create body is sent, then Django-CRM\'s answer comes back with a UUID id', async () => {
    const res = await bearer(t, s).post('/api/accounts/').send(SEED_CREATE);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ error: false, message: 'Account Created Successfully', id: expect.stringMatching(/^00000001-0000-8000-8000-[0-9a-f]{12}$/) });
  });

  it('when the seed\'s spellings are stored, then the detail shows them in HEAD and CLASSIC names', async () => {
    const id = await createAccount(t, s, SEED_CREATE);
    const res = await bearer(t, s).get(`/api/accounts/${id}/`);
    expect(res.status).toBe(200);
    expect(res.body.account_obj).toMatchObject({
      id,
      name: 'New Company Inc',
      industry: 'MANUFACTURING',
      country: 'US',
      country_display: 'United States',
      address_line: '456 Industrial Blvd',
      city: 'Chicago',
      billing_city: 'Chicago',
      billing_country: 'US',
      is_active: true,
      status: 'open',
      phone: '+1555123456',
      website: 'https://newcompany.com',
    });
    expect(res.body.account_obj.tags.map((x: { name: string }) => x.name).sort()).toEqual(['enterprise', 'manufacturing']);
  });

  it('when the same account is read through /api/v2, then it is the same record under its integer id', async () => {
    const id = await createAccount(t, s, { name: 'Two Vocabularies', city: 'Leeds' });
    const n = parseInt(id.slice(-12), 16);
    const v2 = await t.as().get(`/api/v2/crm/accounts/${n}`);
    expect(v2.status).toBe(200);
    expect(v2.body).toMatchObject({ id: n, name: 'Two Vocabularies', address_town: 'Leeds' });
  });

  it('when the body is a form, then the account is created', async () => {
    const res = await bearer(t, s).post('/api/accounts').type('form').send({ name: 'Form Ltd', country: 'gb', is_active: 'false' });
    expect(res.status).toBe(200);
    const detail = await bearer(t, s).get(`/api/accounts/${res.body.id}`);
    expect(detail.body.account_obj).toMatchObject({ name: 'Form Ltd', country: 'GB', is_active: false, status: 'close' });
  });

  it('when multipart with a file is sent, then the account and its attachment are created', async () => {
    const res = await bearer(t, s).post('/api/accounts/').field('name', 'Multipart Ltd').field('tags', '["a-tag"]').attach('account_attachment', Buffer.from('hello'), 'hello.txt');
    expect(res.status).toBe(200);
    const detail = await bearer(t, s).get(`/api/accounts/${res.body.id}/`);
    expect(detail.body.attachments).toHaveLength(1);
    expect(detail.body.attachments[0].file_name).toBe('hello.txt');
    expect(detail.body.account_obj.tags.map((x: { name: string }) => x.name)).toEqual(['a-tag']);
  });

  it('when name is missing, then it answers 400 in the error envelope', async () => {
    const res = await bearer(t, s).post('/api/accounts/').send({ email: 'x@example.com' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: true, errors: { name: ['This field is required.'] } });
  });

  it('when industry and country are unknown, then each is named with Django-CRM\'s message', async () => {
    const res = await bearer(t, s).post('/api/accounts/').send({ name: 'X', industry: 'Spaceships', country: 'Atlantis' });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual({ industry: ['"Spaceships" is not a valid choice.'], country: ['"Atlantis" is not a valid choice.'] });
  });

  it('when relations come as a JSON array, a JSON-encoded string, one id or {id} objects, then each is accepted', async () => {
    const user = await t.addUser();
    const uid = encodeId('profile', user.id);
    for (const assigned of [[uid], JSON.stringify([uid]), uid, [{ id: uid }]]) {
      const id = await createAccount(t, s, { name: `Rel ${JSON.stringify(assigned).length}`, assigned_to: assigned });
      const detail = await bearer(t, s).get(`/api/accounts/${id}/`);
      expect(detail.body.account_obj.assigned_to.map((p: { id: string }) => p.id)).toEqual([uid]);
    }
  });

  it('when relations name ids of another organisation, then they are dropped', async () => {
    const other = await t.addOrg();
    const id = await createAccount(t, s, { name: 'Cross Org', assigned_to: [encodeId('profile', other.admin.id)] });
    const detail = await bearer(t, s).get(`/api/accounts/${id}/`);
    expect(detail.body.account_obj.assigned_to).toEqual([]);
  });

  it('when the body is a JSON list, then it answers 400', async () => {
    const res = await bearer(t, s).post('/api/accounts/').send([1, 2]);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe(true);
  });
});

describe('GET /api/accounts/<id>/', () => {
  it('when the id is malformed, of another type or unknown, then it answers 404 Not found', async () => {
    for (const bad of ['nope', encodeId('contact', 1), encodeId('account', 999999), '00000001-0000-8000-8000-zzzzzzzzzzzz']) {
      const res = await bearer(t, s).get(`/api/accounts/${bad}/`);
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ detail: 'Not found.' });
    }
  });

  it('when the id is spelt without hyphens, in upper case, in braces or as a URN, then it is found', async () => {
    const id = await createAccount(t, s, { name: 'Lenient Id' });
    for (const spelling of [id.replace(/-/g, ''), id.toUpperCase(), `{${id}}`, `urn:uuid:${id}`]) {
      expect((await bearer(t, s).get(`/api/accounts/${encodeURIComponent(spelling)}/`)).status).toBe(200);
    }
  });

  it('when the account belongs to another organisation, then it answers 404', async () => {
    const other = await t.addOrg();
    const o = await login(t, other.admin);
    const id = await createAccount(t, o, { name: 'Theirs' });
    expect((await bearer(t, s).get(`/api/accounts/${id}/`)).status).toBe(404);
  });
});

describe('PUT and PATCH /api/accounts/<id>/', () => {
  it('when PUT omits tags, then they are cleared and scalars not sent keep their values', async () => {
    const id = await createAccount(t, s, { name: 'Put Me', city: 'York', tags: ['keep-me'] });
    const res = await bearer(t, s).put(`/api/accounts/${id}/`).send({ name: 'Put Me Ltd', phone: '+1234567891' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ error: false, message: 'Account Updated Successfully' });
    const detail = await bearer(t, s).get(`/api/accounts/${id}/`);
    expect(detail.body.account_obj).toMatchObject({ name: 'Put Me Ltd', phone: '+1234567891', city: 'York', tags: [] });
  });

  it('when PUT has no name, then it answers 400', async () => {
    const id = await createAccount(t, s, { name: 'Needs Name' });
    const res = await bearer(t, s).put(`/api/accounts/${id}/`).send({ city: 'Bath' });
    expect(res.status).toBe(400);
    expect(res.body.errors.name).toEqual(['This field is required.']);
  });

  it('when PATCH sends one field, then only it changes and tags stay', async () => {
    const id = await createAccount(t, s, { name: 'Patch Me', tags: ['stay'] });
    expect((await bearer(t, s).patch(`/api/accounts/${id}/`).send({ status: 'closed' })).status).toBe(200);
    const detail = await bearer(t, s).get(`/api/accounts/${id}/`);
    expect(detail.body.account_obj).toMatchObject({ name: 'Patch Me', is_active: false, status: 'close' });
    expect(detail.body.account_obj.tags.map((x: { name: string }) => x.name)).toEqual(['stay']);
  });

  it('when PATCH sends tags by id, then the tag is linked', async () => {
    const a = await createAccount(t, s, { name: 'Tag Source', tags: ['by-id'] });
    const tagId = (await bearer(t, s).get(`/api/accounts/${a}/`)).body.account_obj.tags[0].id;
    const b = await createAccount(t, s, { name: 'Tag Target' });
    expect((await bearer(t, s).patch(`/api/accounts/${b}/`).send({ tags: [tagId] })).status).toBe(200);
    expect((await bearer(t, s).get(`/api/accounts/${b}/`)).body.account_obj.tags.map((x: { id: string }) => x.id)).toEqual([tagId]);
  });

  it('when the account does not exist, then PUT answers 404', async () => {
    expect((await bearer(t, s).put(`/api/accounts/${encodeId('account', 99999)}/`).send({ name: 'x' })).status).toBe(404);
  });
});

describe('DELETE /api/accounts/<id>/', () => {
  it('when deleted, then 200 with the message, the record is soft-deleted in v2 and absent from the facade', async () => {
    const id = await createAccount(t, s, { name: 'Delete Me' });
    const res = await bearer(t, s).delete(`/api/accounts/${id}/`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ error: false, message: 'Account Deleted Successfully.' });
    expect((await bearer(t, s).get(`/api/accounts/${id}/`)).status).toBe(404);
    expect((await bearer(t, s).delete(`/api/accounts/${id}/`)).status).toBe(404);
    const v2 = await t.as().get(`/api/v2/crm/accounts/${parseInt(id.slice(-12), 16)}`);
    expect(v2.body.is_deleted).toBe(true);
  });

  it('when a member who did not create it deletes an account assigned to them, then it answers 403', async () => {
    const user = await t.addUser();
    const id = await createAccount(t, s, { name: 'Not Yours', assigned_to: [encodeId('profile', user.id)] });
    const u = await login(t, user);
    const res = await bearer(t, u).delete(`/api/accounts/${id}/`);
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ error: true, errors: 'You do not have Permission to perform this action' });
  });
});

describe('contacts of an account', () => {
  it('when created with contacts, then they are the account\'s; a PUT without contacts unlinks them', async () => {
    const c = await t.as().post('/api/v2/crm/contacts').send({ company_id: 1, first_name: 'Cleo', email: 'cleo@example.com' });
    const contact = encodeId('contact', c.body.id);
    const id = await createAccount(t, s, { name: 'With Contact', contacts: JSON.stringify([contact]) });
    const detail = await bearer(t, s).get(`/api/accounts/${id}/`);
    expect(detail.body.contacts.map((x: { id: string }) => x.id)).toEqual([contact]);
    expect(detail.body.account_obj.contacts[0]).toMatchObject({ id: contact, first_name: 'Cleo', account: id });
    expect((await bearer(t, s).put(`/api/accounts/${id}/`).send({ name: 'With Contact' })).status).toBe(200);
    expect((await bearer(t, s).get(`/api/accounts/${id}/`)).body.contacts).toEqual([]);
  });
});
