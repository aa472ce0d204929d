/**
 * The v2 dialect over the domain core: permission before body, form text typed by field, and
 * records whose keys come out in their catalogue's wire order.
 */
import { makeTestApp, TestApp } from '../support/test-app';

let t: TestApp;
let user: Awaited<ReturnType<TestApp['addUser']>>;
beforeAll(async () => {
  t = await makeTestApp();
  user = await t.addUser();
});
afterAll(() => t.close());

describe('admin-only writes', () => {
  it.each([
    ['/api/v2/crm/industries', 'only admins can manage industries'],
    ['/api/v2/crm/teams', 'only admins can manage teams'],
    ['/api/v2/finance/exchange_rates', 'only admins can set exchange rates'],
    ['/api/v2/meta/crm/contacts/custom_fields', 'only admins can define custom fields'],
  ])('when a user posts a malformed body to %s, then 403 (the body is not looked at)', async (url, message) => {
    const res = await t.as(user).post(url).send({ unexpected: true });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toBe(message);
  });
});

describe('form bodies', () => {
  it('when a form sets a boolean custom field of a contact with "on", then it is stored as true', async () => {
    const key = Object.keys((await t.as().post('/api/v2/meta/crm/contacts/custom_fields').send({ type: 'boolean', label: 'Newsletter' })).body)[0];
    const res = await t.as().post('/api/v2/crm/contacts').type('form').send(`company_id=1&last_name=Form&custom_fields[${key}]=on`);
    expect(res.status).toBe(200);
    expect(res.body.custom_fields).toEqual({ [key]: true });
  });

  it('when a form sends a contact id as a recipient, then the e-mail goes to that contact', async () => {
    const account = (await t.as().post('/api/v2/crm/accounts').send({ company_id: 1, name: 'Mailed' })).body.id;
    const contact = (await t.as().post('/api/v2/crm/contacts').send({ company_id: 1, account_id: account, last_name: 'Reader', email: 'reader@example.com' })).body.id;
    const res = await t.as().post(`/api/v2/crm/accounts/${account}/emails`).type('form').send(`recipients[]=${contact}&subject=Hi&html=%3Cp%3EHi%3C%2Fp%3E`);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ recipients: ['reader@example.com'], recipient_contact_ids: [contact] });
  });
});

describe('wire order', () => {
  it('when a team is read, then its keys are id, name, description, users, created, updated', async () => {
    const res = await t.as().post('/api/v2/crm/teams').send({ name: 'Ordered', users: [user.id] });
    expect(Object.keys(res.body)).toEqual(['id', 'name', 'description', 'users', 'created', 'updated']);
  });

  it('when an invoice is read, then its keys follow the v2 order with lines and outstanding in place', async () => {
    const account = (await t.as().post('/api/v2/crm/accounts').send({ company_id: 1, name: 'Invoiced' })).body.id;
    const res = await t.as().post('/api/v2/finance/sales_invoices').send({ account_id: account, company_id: 1, currency_code: 'GBP', date: '2026-11-01', total: 10 });
    expect(Object.keys(res.body)).toEqual([
      'id', 'account_id', 'company_id', 'currency_code', 'date', 'due_date', 'reference', 'description', 'lines',
      'total', 'amount_paid', 'outstanding', 'status', 'is_deleted', 'created', 'updated',
    ]);
  });

  it('when a currency is read, then its keys are in the seed order (code first)', async () => {
    const res = await t.as().get('/api/v2/finance/currencies/gbp');
    expect(Object.keys(res.body)).toEqual(['code', 'name', 'symbol', 'html_code', 'id', 'is_base']);
  });
});
