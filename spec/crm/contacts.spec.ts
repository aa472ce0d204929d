import { makeTestApp, TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
});
afterAll(() => t.close());

const C = '/api/v2/crm/contacts';
const accountOf = async (name: string) => (await t.as().post('/api/v2/crm/accounts').send({ name, company_id: 1 })).body.id as number;

describe('contacts', () => {
  it('when a contact is created, read, updated, listed and deleted, then each answer has the contact shape', async () => {
    const account = await accountOf('Contacts Ltd');
    const created = await t.as().post(C).send({ company_id: 1, account_id: account, first_name: 'Ada', last_name: 'Lovelace', email: 'ada@example.com', job_title: 'Analyst', address_country_id: 44 });
    expect(created.status).toBe(200);
    expect(created.headers['x-duped-email']).toBeUndefined();
    expect(created.body).toMatchObject({ company_id: 1, account_id: account, first_name: 'Ada', last_name: 'Lovelace', job_title: 'Analyst', address_country_id: 44, is_deleted: false, custom_fields: {} });
    expect(created.body.created_on).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
    const id = created.body.id;

    expect((await t.as().get(`${C}/${id}`)).body).toEqual(created.body);
    const updated = await t.as().put(`${C}/${id}`).send({ job_title: 'CTO', tel: '0113' });
    expect(updated.body).toMatchObject({ job_title: 'CTO', tel: '0113', first_name: 'Ada' });
    expect((await t.as().post(`${C}/${id}`).type('form').send('mobile=07700')).body.mobile).toBe('07700');

    const list = await t.as().get(`${C}?account_id=${account}`);
    expect(list.body.map((c: { id: number }) => c.id)).toEqual([id]);
    const sub = await t.as().get(`/api/v2/crm/accounts/${account}/contacts?last_name__sw=love`);
    expect(sub.body.map((c: { id: number }) => c.id)).toEqual([id]);

    const deleted = await t.as().delete(`${C}/${id}`);
    expect(deleted.body.is_deleted).toBe(true);
    expect((await t.as().delete(`${C}/${id}`)).status).toBe(200);
    expect((await t.as().get(`${C}?account_id=${account}`)).body).toEqual([]);
    expect((await t.as().get(`${C}?account_id=${account}&is_deleted=true`)).body).toHaveLength(1);
    expect((await t.as().put(`${C}/${id}`).send({ is_deleted: false })).body.is_deleted).toBe(false);
  });

  it('when a second contact has a known e-mail (any case), then it is saved and X-Duped-Email says yes', async () => {
    const first = await t.as().post(C).send({ company_id: 1, last_name: 'First', email: 'same@example.com' });
    expect(first.headers['x-duped-email']).toBeUndefined();
    const second = await t.as().post(C).send({ company_id: 1, last_name: 'Second', email: 'SAME@example.com' });
    expect(second.status).toBe(200);
    expect(second.headers['x-duped-email']).toBe('yes');
    expect((await t.as().get(`${C}/${second.body.id}`)).body.email).toBe('SAME@example.com');
    const moved = await t.as().put(`${C}/${first.body.id}`).send({ email: 'other@example.com' });
    expect(moved.headers['x-duped-email']).toBeUndefined();
  });

  it('when contacts are filtered with the generic query language, then operators, custom fields and order work', async () => {
    const account = await accountOf('Filter Co');
    const def = await t.as().post('/api/v2/meta/crm/contacts/custom_fields').send({ type: 'integer', label: 'Score' });
    expect(def.status).toBe(201);
    const key = Object.keys(def.body)[0];
    for (const [first_name, score] of [['Zed', 3], ['Amy', 9], ['Bob', 5]] as const) {
      expect((await t.as().post(C).send({ company_id: 1, account_id: account, first_name, last_name: 'Filter', custom_fields: { [key]: score } })).status).toBe(200);
    }
    const names = async (q: string) => (await t.as().get(`${C}?account_id=${account}&${q}`)).body.map((c: { first_name: string }) => c.first_name);
    expect(await names('_order=first_name')).toEqual(['Amy', 'Bob', 'Zed']);
    expect(await names(`custom_fields.${key}__gt=4&_order=-first_name`)).toEqual(['Bob', 'Amy']);
    expect(await names('first_name__in=Amy,Zed&_order=id')).toEqual(['Zed', 'Amy']);
    expect(await names(`custom_fields.${key}=9`)).toEqual(['Amy']);
    expect((await t.as().get(`/api/v2/meta/crm/contacts`)).body.custom_fields[key]).toEqual({ type: 'integer', label: 'Score' });

    const bad = await t.as().get(`${C}?colour=red`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].field).toBe('colour');
    const badCustom = await t.as().post(C).send({ company_id: 1, last_name: 'X', custom_fields: { [key]: 'many' } });
    expect(badCustom.status).toBe(400);
    expect(badCustom.body.error.details[0].field).toBe(`custom_fields.${key}`);
  });

  it('when required fields are missing or references are unknown, then 400 names each field', async () => {
    const other = await t.addOrg();
    const theirs = (await t.as(other.admin).post('/api/v2/crm/accounts').send({ name: 'Theirs', company_id: other.companyId })).body.id;
    const res = await t.as().post(C).send({ company_id: 999, account_id: theirs, email: 'x@example.com' });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['account_id', 'company_id', 'first_name']);
    expect((await t.as().post(C).send({ last_name: 'No company' })).body.error.details[0]).toEqual({ field: 'company_id', message: 'is required' });
    expect((await t.as().post(C).send({ company_id: 1, last_name: 'X', shoe_size: 9 })).body.error.details[0].field).toBe('shoe_size');
    const blank = (await t.as().post(C).send({ company_id: 1, last_name: 'Blank' })).body.id;
    expect((await t.as().put(`${C}/${blank}`).send({ last_name: '' })).status).toBe(400);
    expect((await t.as().get(`${C}/999999`)).status).toBe(404);
    expect((await t.as(other.admin).get(`${C}/${blank}`)).status).toBe(404);
  });

  it('when a contact is deleted by a user who did not create it, then 403; the creator may', async () => {
    const [alice, bob] = [await t.addUser(), await t.addUser()];
    const own = (await t.as(alice).post(C).send({ company_id: 1, last_name: 'Loose' })).body.id;
    expect((await t.as(bob).get(`${C}/${own}`)).status).toBe(200); // a contact without account is the organisation's
    expect((await t.as(bob).delete(`${C}/${own}`)).status).toBe(403);
    expect((await t.as(alice).delete(`${C}/${own}`)).status).toBe(200);
  });
});
