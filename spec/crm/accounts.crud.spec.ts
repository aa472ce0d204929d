import seed from '../fixtures/seed-account.json';
import { makeTestApp, TestApp } from '../support/test-app';

const SEED_KEYS = Object.keys(seed);
const FULL_KEYS = [...SEED_KEYS, 'updated', 'status', 'assigned_to', 'teams', 'custom_fields'];
const LIST_KEYS = FULL_KEYS.filter((k) => k !== 'balance' && k !== 'converted_balance');

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
});
afterAll(() => t.close());

/** The seed's values with the server-assigned ones (id, timestamps) taken from the response. */
function expectSeedShape(body: Record<string, unknown>, overrides: Record<string, unknown> = {}) {
  expect(Object.keys(body)).toEqual(FULL_KEYS);
  const expected: Record<string, unknown> = {
    ...seed,
    id: body.id,
    created: body.created,
    updated: body.updated,
    status: 'open',
    assigned_to: [],
    teams: [],
    custom_fields: {},
    ...overrides,
  };
  expect(body).toEqual(expected);
  expect(body.created).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
  expect(body.updated).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}$/);
}

describe('accounts CRUD over HTTP', () => {
  it('when the seed create example is posted, then the full record comes back exactly as documented', async () => {
    const res = await t.as().post('/api/v2/crm/accounts').send({ is_customer: true, name: 'My account', company_id: 1 });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(typeof res.body.id).toBe('number');
    expectSeedShape(res.body);
    expect(res.body.company.currency.symbol).toBe('£');
  });

  it('when an account is read, then its company settings keys come in the seed document\'s order', async () => {
    const res = await t.as().post('/api/v2/crm/accounts').send({ name: 'Settings order', company_id: 1 });
    expect(JSON.stringify(res.body.company.settings)).toBe(JSON.stringify(seed.company.settings));
    expect(Object.keys(res.body.company.settings)).toEqual(['time_format', 'date_format', 'locale', 'week_starts', 'non_working_days']);
  });

  it('when an account is read, updated, listed, deleted and restored, then each answer has the documented shape', async () => {
    const created = await t.as().post('/api/v2/crm/accounts').send({ name: 'Round trip', company_id: 1, is_customer: true });
    const id = created.body.id;

    const got = await t.as().get(`/api/v2/crm/accounts/${id}`);
    expect(got.status).toBe(200);
    expectSeedShape(got.body, { name: 'Round trip' });

    const put = await t.as().put(`/api/v2/crm/accounts/${id}`).send({ name: 'My new value for name', tel: '+44 1', customer_since: '2020-02-29' });
    expect(put.status).toBe(200);
    expectSeedShape(put.body, { name: 'My new value for name', tel: '+44 1', customer_since: '2020-02-29' });
    expect(put.body.created).toBe(got.body.created);
    expect(put.body.updated > got.body.updated).toBe(true);

    // POST /:id updates too, as Administrate documents.
    const post = await t.as().post(`/api/v2/crm/accounts/${id}`).send({ is_supplier: true });
    expect(post.status).toBe(200);
    expect(post.body).toMatchObject({ id, name: 'My new value for name', is_supplier: true, tel: '+44 1' });

    const list = await t.as().get('/api/v2/crm/accounts');
    expect(list.status).toBe(200);
    expect(Array.isArray(list.body)).toBe(true);
    const item = list.body.find((a: { id: number }) => a.id === id);
    expect(Object.keys(item)).toEqual(LIST_KEYS);
    expect(item.name).toBe('My new value for name');

    const del = await t.as().delete(`/api/v2/crm/accounts/${id}`);
    expect(del.status).toBe(200);
    expectSeedShape(del.body, { name: 'My new value for name', tel: '+44 1', customer_since: '2020-02-29', is_supplier: true, is_deleted: true });

    const again = await t.as().delete(`/api/v2/crm/accounts/${id}`);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(del.body);

    const listAfter = await t.as().get('/api/v2/crm/accounts');
    expect(listAfter.body.map((a: { id: number }) => a.id)).not.toContain(id);
    const deletedList = await t.as().get('/api/v2/crm/accounts?is_deleted=true');
    expect(deletedList.body.map((a: { id: number }) => a.id)).toContain(id);

    const still = await t.as().get(`/api/v2/crm/accounts/${id}`);
    expect(still.status).toBe(200);
    expect(still.body.is_deleted).toBe(true);

    const restored = await t.as().put(`/api/v2/crm/accounts/${id}`).send({ is_deleted: false });
    expect(restored.status).toBe(200);
    expect(restored.body.is_deleted).toBe(false);
    const listRestored = await t.as().get('/api/v2/crm/accounts');
    expect(listRestored.body.map((a: { id: number }) => a.id)).toContain(id);
  });

  it('when every writable field is set, then each comes back with its type', async () => {
    // References must exist in the organisation: a parent account and two contacts.
    const parent = (await t.as().post('/api/v2/crm/accounts').send({ company_id: 1, name: 'Parent' })).body.id;
    const contact = async (last_name: string) => (await t.as().post('/api/v2/crm/contacts').send({ company_id: 1, last_name })).body.id;
    const [c1, c2] = [await contact('One'), await contact('Two')];
    const body = {
      company_id: 1, name: 'Everything', tel: '1', mobile: '2', fax: '3', email: 'a@b.c', url: 'https://x',
      is_customer: true, is_supplier: true, is_partner: true, is_individual: true, is_employee: true,
      no_publicity: false, default_approver: 7, parent_id: parent, primary_contact_id: c1, initial_contact_id: c2, status: 'closed',
      billing_address_country_id: 6, shipping_address_country_id: 8, default_price_level_id: 9,
      customer_since: '2019-01-31', external_id: 'ERP-1', import_id: 'IMP-1', notes: 'x'.repeat(5000),
      address_street: 'High St', address_town: 'Leeds', address_postcode: 'LS1', address_country: 'UK',
    };
    const res = await t.as().post('/api/v2/crm/accounts').send(body);
    expect(res.status).toBe(200);
    const { company_id: _c, ...rest } = body;
    expect(res.body).toMatchObject(rest);
  });

  it('when an id is unknown, then GET, PUT, POST and DELETE answer 404 in JSON', async () => {
    for (const req of [
      t.as().get('/api/v2/crm/accounts/999999'),
      t.as().put('/api/v2/crm/accounts/999999').send({ name: 'x' }),
      t.as().post('/api/v2/crm/accounts/999999').send({ name: 'x' }),
      t.as().delete('/api/v2/crm/accounts/999999'),
    ]) {
      const res = await req;
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
      expect(res.body.error.message).toContain('999999');
    }
  });

  it('when a form-encoded body is posted (PHP http_build_query), then it is typed like JSON', async () => {
    const res = await t
      .as()
      .post('/api/v2/crm/accounts')
      .type('form')
      .send('name=Form+Ltd&company_id=1&is_customer=1&is_supplier=0&default_approver=3&tel=');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: 'Form Ltd', is_customer: true, is_supplier: false, default_approver: 3, tel: null });
    const upd = await t.as().put(`/api/v2/crm/accounts/${res.body.id}`).type('form').send('is_customer=false&name=Form+2');
    expect(upd.status).toBe(200);
    expect(upd.body).toMatchObject({ name: 'Form 2', is_customer: false });
  });

  it('when curl -d sends JSON without a Content-Type (form-typed), then it is read as JSON', async () => {
    const res = await t
      .as()
      .post('/api/v2/crm/accounts')
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .send('{"name": "Curl default", "company_id": 1}');
    expect(res.status).toBe(200);
    expect(res.body.name).toBe('Curl default');
  });

  it('when the list is paged with id__gt, _order=id and _limit, then pages follow each other', async () => {
    for (let i = 0; i < 5; i++) await t.as().post('/api/v2/crm/accounts').send({ name: `Page ${i}`, company_id: 1 });
    const seen: number[] = [];
    let last = 0;
    for (;;) {
      const res = await t.as().get(`/api/v2/crm/accounts?id__gt=${last}&_order=id&_limit=2`);
      expect(res.status).toBe(200);
      if (res.body.length === 0) break;
      expect(res.body.length).toBeLessThanOrEqual(2);
      for (const a of res.body) seen.push(a.id);
      last = res.body[res.body.length - 1].id;
    }
    const all = await t.as().get('/api/v2/crm/accounts?_order=id');
    expect(seen).toEqual(all.body.map((a: { id: number }) => a.id));
    expect(new Set(seen).size).toBe(seen.length);
  });
});
