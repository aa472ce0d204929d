import { makeTestApp, TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
});
afterAll(() => t.close());

describe('organisation scope', () => {
  it('when another organisation owns an account, then it is 404 and never listed', async () => {
    const other = await t.addOrg();
    const theirs = await t.as(other.admin).post('/api/v2/crm/accounts').send({ name: 'Theirs', company_id: other.companyId });
    expect(theirs.status).toBe(200);
    expect(theirs.body.company.currency_code).toBe('EUR');
    const mine = await t.as().post('/api/v2/crm/accounts').send({ name: 'Mine', company_id: 1 });

    const id = theirs.body.id;
    expect((await t.as().get(`/api/v2/crm/accounts/${id}`)).status).toBe(404);
    expect((await t.as().put(`/api/v2/crm/accounts/${id}`).send({ name: 'hijack' })).status).toBe(404);
    expect((await t.as().post(`/api/v2/crm/accounts/${id}`).send({ name: 'hijack' })).status).toBe(404);
    expect((await t.as().delete(`/api/v2/crm/accounts/${id}`)).status).toBe(404);

    const myList = await t.as().get('/api/v2/crm/accounts?is_deleted__in=true,false');
    expect(myList.body.map((a: { id: number }) => a.id)).not.toContain(id);
    const theirList = await t.as(other.admin).get('/api/v2/crm/accounts');
    expect(theirList.body.map((a: { id: number }) => a.id)).toEqual([id]);
    expect((await t.as(other.admin).get(`/api/v2/crm/accounts/${mine.body.id}`)).status).toBe(404);

    const after = await t.as(other.admin).get(`/api/v2/crm/accounts/${id}`);
    expect(after.body.name).toBe('Theirs');
  });

  it("when an account names another organisation's company, then 400 on company_id", async () => {
    const other = await t.addOrg();
    const res = await t.as().post('/api/v2/crm/accounts').send({ name: 'x', company_id: other.companyId });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].field).toBe('company_id');
  });
});
