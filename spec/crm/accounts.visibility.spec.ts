import { makeTestApp, TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
});
afterAll(() => t.close());

const A = '/api/v2/crm/accounts';
type Login = Awaited<ReturnType<TestApp['addUser']>>;

describe('who sees and edits which account', () => {
  let creator: Login, assignee: Login, member: Login, stranger: Login, otherAdmin: Login;
  let account: number;
  const marker = `vis-${Date.now()}`;

  beforeAll(async () => {
    [creator, assignee, member, stranger] = [await t.addUser(), await t.addUser(), await t.addUser(), await t.addUser()];
    otherAdmin = (await t.addOrg()).admin;
    const team = (await t.as().post('/api/v2/crm/teams').send({ name: `Team ${marker}`, users: [member.id] })).body.id;
    const res = await t.as(creator).post(A).send({ company_id: 1, name: marker, assigned_to: [assignee.id], teams: [team] });
    expect(res.status).toBe(200);
    account = res.body.id;
  });

  // [who, GET, list count, PUT, DELETE]; a DELETE that is allowed runs last (by the creator).
  const matrix: [string, () => Login | undefined, number, number, number, number][] = [
    ['admin', () => undefined, 200, 1, 200, 200],
    ['creator', () => creator, 200, 1, 200, 200],
    ['assignee', () => assignee, 200, 1, 200, 403],
    ['team member', () => member, 200, 1, 200, 403],
    ['stranger', () => stranger, 404, 0, 404, 404],
    ['admin of another organisation', () => otherAdmin, 404, 0, 404, 404],
  ];

  it.each(matrix)('when the %s reads, lists, updates and deletes it, then the answers are as expected', async (_who, login, get, count, put, del) => {
    const as = t.as(login());
    expect((await as.get(`${A}/${account}`)).status).toBe(get);
    const list = await as.get(`${A}?name=${marker}&_page=1`);
    expect(list.body).toHaveLength(count);
    expect(list.headers['x-pagination-total']).toBe(String(count));
    expect((await as.get(`${A}?_order=id`)).body.some((a: { id: number }) => a.id === account)).toBe(count === 1);
    expect((await as.put(`${A}/${account}`).send({ notes: `by ${_who}` })).status).toBe(put);
    const d = await as.delete(`${A}/${account}`);
    expect(d.status).toBe(del);
    if (del === 200) expect((await t.as().put(`${A}/${account}`).send({ is_deleted: false })).status).toBe(200);
    // Restoring is a delete-class change too.
    if (del === 403) expect((await as.put(`${A}/${account}`).send({ is_deleted: true })).status).toBe(403);
    for (const sub of ['history', 'contacts', 'invoices']) expect((await as.get(`${A}/${account}/${sub}`)).status).toBe(get);
  });

  it('when a stranger filters by the account’s team or assignee, then nothing leaks, and its contacts and invoices stay hidden', async () => {
    const contact = (await t.as(creator).post('/api/v2/crm/contacts').send({ company_id: 1, account_id: account, last_name: `C ${marker}` })).body.id;
    const invoice = await t.as(creator).post('/api/v2/finance/sales_invoices').send({ account_id: account, company_id: 1, currency_code: 'GBP', date: '2026-11-01', total: 5 });
    expect(invoice.status).toBe(200);
    expect((await t.as(stranger).get(`${A}?assigned_to=${assignee.id}`)).body).toEqual([]);
    expect((await t.as(stranger).get(`/api/v2/crm/contacts/${contact}`)).status).toBe(404);
    expect((await t.as(stranger).get(`/api/v2/crm/contacts?last_name=C ${marker}&_page=1`)).headers['x-pagination-total']).toBe('0');
    expect((await t.as(stranger).get(`/api/v2/finance/sales_invoices/${invoice.body.id}`)).status).toBe(404);
    expect((await t.as(stranger).get(`/api/v2/finance/sales_invoices?account_id=${account}`)).body).toEqual([]);
    // Nor can a stranger attach records to it.
    const attach = await t.as(stranger).post('/api/v2/crm/contacts').send({ company_id: 1, account_id: account, last_name: 'Sneaky' });
    expect(attach.status).toBe(400);
    expect(attach.body.error.details[0].field).toBe('account_id');
    expect((await t.as(member).get(`/api/v2/crm/contacts/${contact}`)).status).toBe(200);
  });

  it('when the member leaves the team, then the account disappears for them', async () => {
    const teams = (await t.as().get(`/api/v2/crm/teams?users=${member.id}`)).body;
    await t.as().put(`/api/v2/crm/teams/${teams[0].id}`).send({ users: [] });
    expect((await t.as(member).get(`${A}/${account}`)).status).toBe(404);
  });
});
